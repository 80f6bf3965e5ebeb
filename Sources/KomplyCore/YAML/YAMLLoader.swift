import CYaml
import Foundation

/// Bounds that keep a hostile or accidental input from exhausting memory or stack.
public struct LoadLimits: Sendable, Hashable {
    /// Largest file accepted, in bytes (default 16 MiB, or `KOMPLY_MAX_FILE_BYTES`).
    public var maxFileBytes: Int
    /// Most nodes that aliases may copy into one document (an alias bomb exceeds this at once).
    public var maxAliasExpansion: Int
    /// Deepest nesting of sequences and mappings.
    public var maxDepth: Int

    /// Creates limits.
    public init(maxFileBytes: Int = 16 << 20, maxAliasExpansion: Int = 100_000, maxDepth: Int = 256) {
        self.maxFileBytes = maxFileBytes
        self.maxAliasExpansion = maxAliasExpansion
        self.maxDepth = maxDepth
    }

    /// The defaults, with `KOMPLY_MAX_FILE_BYTES` from the environment applied.
    public static var standard: LoadLimits {
        var limits = LoadLimits()
        // getenv, not ProcessInfo.environment: that copies the whole environment into a dictionary,
        // and this runs once per file read.
        if let value = getenv("KOMPLY_MAX_FILE_BYTES"), let bytes = Int(String(cString: value)), bytes > 0 {
            limits.maxFileBytes = bytes
        }
        return limits
    }
}

/// Loads YAML and JSON text (one or many documents) into `Node`s with source ranges.
///
/// Every document is checked: a syntax error anywhere in a stream is reported with its position,
/// never silently truncated. Duplicate keys are errors; aliases are expanded within `LoadLimits`.
public enum YAMLLoader {
    /// Reads and parses every document of a file; `displayName` is what messages call the file.
    public static func load(path: String, displayName: String? = nil, limits: LoadLimits = .standard) throws(CoreError) -> [Node] {
        let name = displayName ?? path
        let data = try read(path: path, displayName: name, limits: limits)
        return try parse(bytes: data, file: name, limits: limits)
    }

    /// Parses every document of `text`.
    public static func parse(_ text: String, file: String, limits: LoadLimits = .standard) throws(CoreError) -> [Node] {
        try parse(bytes: Data(text.utf8), file: file, limits: limits)
    }

    /// Parses every document of raw bytes (UTF-8; a BOM is accepted).
    public static func parse(bytes: Data, file: String, limits: LoadLimits = .standard) throws(CoreError) -> [Node] {
        guard bytes.count <= limits.maxFileBytes else {
            throw .fileTooLarge(file: file, size: bytes.count, limit: limits.maxFileBytes)
        }
        let composer = Composer(file: file, limits: limits, bytes: bytes)
        return try composer.documents()
    }

    /// Reads a file's bytes, refusing directories, unreadable files and files over the size limit.
    public static func read(path: String, displayName: String, limits: LoadLimits = .standard) throws(CoreError) -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(file: displayName, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .unreadable(file: displayName, reason: "is a directory, expected a file") }
        if let kind = YAMLLoader.specialFileKind(path) { throw .notRegularFile(file: displayName, kind: kind) }
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > limits.maxFileBytes {
            throw .fileTooLarge(file: displayName, size: size, limit: limits.maxFileBytes)
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .unreadable(file: displayName, reason: "permission denied")
        }
        defer { try? handle.close() }
        // Read at most one byte past the limit so a file that grows (or a FIFO) cannot exhaust memory.
        let data: Data
        do { data = try handle.read(upToCount: limits.maxFileBytes + 1) ?? Data() } catch {
            throw .unreadable(file: displayName, reason: error.localizedDescription)
        }
        guard data.count <= limits.maxFileBytes else {
            throw .fileTooLarge(file: displayName, size: data.count, limit: limits.maxFileBytes)
        }
        return data
    }

    /// What `path` is when it is not a regular file or folder ("a named pipe", "a socket",
    /// "a device"), following symbolic links; nil for a regular file, a folder or a missing path.
    public static func specialFileKind(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG, S_IFDIR: return nil
        case S_IFIFO: return "a named pipe"
        case S_IFSOCK: return "a socket"
        case S_IFCHR, S_IFBLK: return "a device"
        default: return "a special file"
        }
    }
}

/// Turns libyaml's event stream into `Node`s.
private final class Composer {
    enum Event {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias(anchor: String, range: SourceRange)
        case scalar(value: String, anchor: String?, tag: String?, style: ScalarStyle, range: SourceRange)
        case sequenceStart(anchor: String?, tag: String?, start: SourcePosition)
        case sequenceEnd(end: SourcePosition)
        case mappingStart(anchor: String?, tag: String?, start: SourcePosition)
        case mappingEnd(end: SourcePosition)
    }

    let file: String
    let limits: LoadLimits
    let bytes: [UInt8]
    var anchors: [String: (node: Node, size: Int)] = [:]
    var expanded = 0

    init(file: String, limits: LoadLimits, bytes: Data) {
        self.file = file
        self.limits = limits
        self.bytes = [UInt8](bytes)
    }

    func documents() throws(CoreError) -> [Node] {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else {
            throw .unreadable(file: file, reason: "cannot initialise the YAML parser")
        }
        defer { yaml_parser_delete(&parser) }
        let result: Result<[Node], CoreError> = bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            do { return .success(try documents(&parser)) } catch let error as CoreError { return .failure(error) } catch {
                return .failure(.syntax(SourceLocation(file: file), problem: "\(error)"))
            }
        }
        return try result.get()
    }

    func documents(_ parser: inout yaml_parser_t) throws(CoreError) -> [Node] {
        guard case .streamStart = try next(&parser) else { throw syntaxError("expected the start of a stream", parser) }
        var nodes: [Node] = []
        while true {
            let event = try next(&parser)
            if case .streamEnd = event { break }
            guard case .documentStart = event else { throw syntaxError("expected a document", parser) }
            anchors = [:]
            expanded = 0
            let (node, _) = try compose(try next(&parser), &parser, depth: 0)
            guard case .documentEnd = try next(&parser) else { throw syntaxError("expected the end of a document", parser) }
            nodes.append(node)
        }
        return nodes
    }

    /// Builds the node that starts with `event`, returning it and its expanded size in nodes.
    func compose(_ event: Event, _ parser: inout yaml_parser_t, depth: Int) throws(CoreError) -> (Node, Int) {
        switch event {
        case .scalar(let value, let anchor, let tag, let style, let range):
            let node = Node(.scalar(value, style), tag: tag, file: file, range: range)
            if let anchor { anchors[anchor] = (node, 1) }
            return (node, 1)
        case .alias(let name, let range):
            guard let (node, size) = anchors[name] else {
                throw .unknownAlias(SourceLocation(file: file, range: range), name: name)
            }
            expanded += size
            if expanded > limits.maxAliasExpansion {
                throw .aliasExpansionLimit(SourceLocation(file: file, range: range), limit: limits.maxAliasExpansion)
            }
            return (node, size)
        case .sequenceStart(let anchor, let tag, let start):
            try checkDepth(depth, start)
            var items: [Node] = []
            var size = 1
            while true {
                let child = try next(&parser)
                if case .sequenceEnd(let end) = child {
                    let node = Node(.sequence(items), tag: tag, file: file, range: SourceRange(start: start, end: end))
                    if let anchor { anchors[anchor] = (node, size) }
                    return (node, size)
                }
                let (item, itemSize) = try compose(child, &parser, depth: depth + 1)
                items.append(item)
                size += itemSize
            }
        case .mappingStart(let anchor, let tag, let start):
            try checkDepth(depth, start)
            var pairs: [Node.Pair] = []
            var merges: [Int] = []
            var size = 1
            while true {
                let keyEvent = try next(&parser)
                if case .mappingEnd(let end) = keyEvent {
                    let range = SourceRange(start: start, end: end)
                    let node = Node(.mapping(try resolveMerges(pairs, mergesAt: merges)), tag: tag, file: file, range: range)
                    if let anchor { anchors[anchor] = (node, size) }
                    return (node, size)
                }
                let (key, keySize) = try compose(keyEvent, &parser, depth: depth + 1)
                let (value, valueSize) = try compose(try next(&parser), &parser, depth: depth + 1)
                if key.isPlainScalar && key.scalar == "<<" || key.tag == "tag:yaml.org,2002:merge" { merges.append(pairs.count) }
                pairs.append(Node.Pair(key: key, value: value))
                size += keySize + valueSize
            }
        default:
            throw syntaxError("unexpected event", parser)
        }
    }

    /// Rejects duplicate keys, then applies `<<` merge keys (the pairs at `mergesAt`): explicit keys
    /// win, earlier merge sources win over later ones.
    func resolveMerges(_ pairs: [Node.Pair], mergesAt merges: [Int]) throws(CoreError) -> [Node.Pair] {
        try rejectDuplicateKeys(pairs, mergesAt: merges)
        guard !merges.isEmpty else { return pairs }
        var seen = Set(pairs.indices.filter { !merges.contains($0) }.compactMap { pairs[$0].key.scalar })
        var result: [Node.Pair] = []
        for (index, pair) in pairs.enumerated() {
            guard merges.contains(index) else {
                result.append(pair)
                continue
            }
            let sources: [Node]
            switch pair.value.content {
            case .mapping: sources = [pair.value]
            case .sequence(let items) where items.allSatisfy({ $0.mapping != nil }): sources = items
            default: throw .invalidMerge(pair.value.location)
            }
            for source in sources {
                for merged in source.mapping ?? [] {
                    guard let key = merged.key.scalar else { continue }
                    if seen.insert(key).inserted { result.append(merged) }
                }
            }
        }
        return result
    }

    /// Throws for the first scalar key (merge keys aside) that an earlier one repeats, naming the
    /// earlier one's line.
    func rejectDuplicateKeys(_ pairs: [Node.Pair], mergesAt merges: [Int]) throws(CoreError) {
        // Most mappings are small: comparing each key with the ones before it needs no hashing and no
        // dictionary, which matters because every mapping of every file comes through here.
        guard pairs.count > 16 else {
            for i in pairs.indices where !merges.contains(i) {
                guard case .scalar(let key, _) = pairs[i].key.content else { continue }
                for j in 0..<i where !merges.contains(j) {
                    if case .scalar(let earlier, _) = pairs[j].key.content, earlier.utf8.count == key.utf8.count, earlier == key {
                        throw .duplicateKey(pairs[i].key.location, key: key, firstLine: pairs[j].key.range.start.line)
                    }
                }
            }
            return
        }
        var firstLine: [String: Int] = [:]
        for i in pairs.indices where !merges.contains(i) {
            guard let key = pairs[i].key.scalar else { continue }
            if let line = firstLine[key] { throw .duplicateKey(pairs[i].key.location, key: key, firstLine: line) }
            firstLine[key] = pairs[i].key.range.start.line
        }
    }

    func checkDepth(_ depth: Int, _ start: SourcePosition) throws(CoreError) {
        if depth >= limits.maxDepth {
            throw .nestingTooDeep(SourceLocation(file: file, range: SourceRange(start: start, end: start)), limit: limits.maxDepth)
        }
    }

    func next(_ parser: inout yaml_parser_t) throws(CoreError) -> Event {
        var event = yaml_event_t()
        guard yaml_parser_parse(&parser, &event) == 1 else { throw parserError(parser) }
        defer { yaml_event_delete(&event) }
        let start = position(event.start_mark)
        let end = position(event.end_mark)
        switch event.type {
        case YAML_STREAM_START_EVENT: return .streamStart
        case YAML_STREAM_END_EVENT: return .streamEnd
        case YAML_DOCUMENT_START_EVENT: return .documentStart
        case YAML_DOCUMENT_END_EVENT: return .documentEnd
        case YAML_ALIAS_EVENT:
            return .alias(anchor: string(event.data.alias.anchor) ?? "", range: SourceRange(start: start, end: end))
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            let value = String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self)
            let style: ScalarStyle
            switch scalar.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            return .scalar(
                value: value, anchor: string(scalar.anchor), tag: tag(string(scalar.tag)), style: style,
                range: SourceRange(start: start, end: end))
        case YAML_SEQUENCE_START_EVENT:
            let data = event.data.sequence_start
            return .sequenceStart(anchor: string(data.anchor), tag: tag(string(data.tag)), start: start)
        case YAML_SEQUENCE_END_EVENT: return .sequenceEnd(end: end)
        case YAML_MAPPING_START_EVENT:
            let data = event.data.mapping_start
            return .mappingStart(anchor: string(data.anchor), tag: tag(string(data.tag)), start: start)
        case YAML_MAPPING_END_EVENT: return .mappingEnd(end: end)
        default:
            throw .syntax(SourceLocation(file: file, range: SourceRange(start: start, end: end)), problem: "unexpected YAML event")
        }
    }

    func position(_ mark: yaml_mark_t) -> SourcePosition {
        SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1, offset: Int(mark.index))
    }

    func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    /// Drops the non-specific tag `!` that libyaml reports for some quoted scalars.
    func tag(_ tag: String?) -> String? {
        tag == "!" ? nil : tag
    }

    func parserError(_ parser: yaml_parser_t) -> CoreError {
        let problem = parser.problem.map { String(cString: $0) } ?? "malformed document"
        var mark = position(parser.problem_mark)
        if parser.error == YAML_READER_ERROR {
            mark = positionOfByte(Int(parser.problem_offset))
            return .syntax(
                SourceLocation(file: file, range: SourceRange(start: mark, end: mark)),
                problem: "\(problem) (the file must be UTF-8 text)")
        }
        var message = problem
        if let context = parser.context.map({ String(cString: $0) }) {
            message += " \(context) at line \(parser.context_mark.line + 1), column \(parser.context_mark.column + 1)"
        }
        return .syntax(SourceLocation(file: file, range: SourceRange(start: mark, end: mark)), problem: message)
    }

    func syntaxError(_ problem: String, _ parser: yaml_parser_t) -> CoreError {
        let mark = position(parser.mark)
        return .syntax(SourceLocation(file: file, range: SourceRange(start: mark, end: mark)), problem: problem)
    }

    /// Line and column of a byte offset, for reader errors that report only the offset.
    func positionOfByte(_ offset: Int) -> SourcePosition {
        var line = 1
        var lineStart = 0
        for index in 0..<min(offset, bytes.count) where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        let column = String(decoding: bytes[lineStart..<min(offset, bytes.count)], as: UTF8.self).unicodeScalars.count + 1
        return SourcePosition(line: line, column: column, offset: offset)
    }
}
