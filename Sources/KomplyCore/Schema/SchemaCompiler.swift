import Foundation

/// Turns a schema document into a `CompiledSchema`: every keyword checked, every `$ref` resolved
/// once, patterns compiled once, and loops that would never reach a value rejected.
struct SchemaCompiler {
    /// Keywords that carry no validation and are skipped.
    static let annotationKeywords: Set<String> = [
        "$schema", "$id", "id", "$anchor", "$comment", "$vocabulary", "title", "description", "default",
        "deprecated", "examples", "readOnly", "writeOnly", "format", "contentMediaType", "contentEncoding",
        "contentSchema",
    ]
    /// Validation keywords of drafts 2019-09 and 2020-12 this validator does not implement; a schema
    /// using one is refused rather than half-checked.
    static let unsupportedKeywords: Set<String> = [
        "if", "then", "else", "contains", "minContains", "maxContains", "prefixItems", "additionalItems",
        "unevaluatedItems", "dependentRequired", "dependentSchemas", "dependencies", "propertyNames",
        "multipleOf", "$recursiveRef", "$recursiveAnchor", "$dynamicRef", "$dynamicAnchor",
    ]

    private let document: Node
    private let documentID: String?
    private var drafts: [SubschemaDraft] = []
    private var indexByPointer: [String: Int] = [:]
    private var patterns: [SchemaPattern] = []
    private var patternIndex: [String: Int] = [:]

    /// Compiles a whole schema document.
    static func compile(_ document: Node) throws(CoreError) -> CompiledSchema {
        var compiler = SchemaCompiler(document: document)
        let root = try compiler.compile(document, pointer: "")
        let refs = try compiler.resolveReferences()
        return try compiler.finish(root: root, refs: refs)
    }

    private init(document: Node) {
        self.document = document
        let id = document["$id"]?.scalar ?? document["id"]?.scalar
        documentID = id.flatMap { $0.isEmpty ? nil : $0 }
    }
}

private extension SchemaCompiler {
    mutating func compile(_ node: Node, pointer: String) throws(CoreError) -> Int {
        if let existing = indexByPointer[pointer] { return existing }
        let index = drafts.count
        var draft = SubschemaDraft(pointer: pointer, location: node.location)
        drafts.append(draft)
        indexByPointer[pointer] = index
        switch node.content {
        case .scalar:
            guard case .bool(let allowed) = SchemaValue.scalar(node) else {
                throw Self.invalid(node, pointer, "expected a schema (a mapping, true or false), found \(node.kindName)")
            }
            draft.isFalse = !allowed
        case .sequence:
            throw Self.invalid(node, pointer, "expected a schema (a mapping, true or false), found a list")
        case .mapping(let pairs):
            for pair in pairs {
                try apply(SchemaValue.propertyName(pair.key), pair.value, to: &draft)
            }
        }
        drafts[index] = draft
        return index
    }

    // swiftlint:disable:next cyclomatic_complexity function_body_length
    mutating func apply(_ keyword: String, _ value: Node, to draft: inout SubschemaDraft) throws(CoreError) {
        let here = draft.pointer + "/" + Self.escape(keyword)
        switch keyword {
        case "type":
            let names: [String]
            if let list = value.sequence {
                names = try list.map { (item) throws(CoreError) in try Self.string(item, here) }
            } else {
                names = [try Self.string(value, here)]
            }
            var types: SchemaTypes = []
            for name in names {
                guard let set = SchemaTypes(typeName: name) else {
                    throw Self.invalid(
                        value, here, "unknown type \"\(name)\"; expected object, array, string, integer, number, boolean or null")
                }
                types.formUnion(set)
            }
            draft.typeNames = names
            draft.types = types
        case "enum":
            guard let list = value.sequence else { throw Self.invalid(value, here, "expected a list of values, found \(value.kindName)") }
            draft.enumValues = list.map(SchemaValue.init)
        case "const":
            draft.constValue = SchemaValue(value)
        case "minimum": draft.minimum = try Self.number(value, here)
        case "maximum": draft.maximum = try Self.number(value, here)
        case "exclusiveMinimum", "exclusiveMaximum":
            if case .bool = SchemaValue.scalar(value) {
                throw Self.invalid(value, here, "the boolean form of \"\(keyword)\" (draft-04) is not supported; expected a number")
            }
            let bound = try Self.number(value, here)
            if keyword == "exclusiveMinimum" { draft.exclusiveMinimum = bound } else { draft.exclusiveMaximum = bound }
        case "minLength": draft.minLength = try Self.count(value, here)
        case "maxLength": draft.maxLength = try Self.count(value, here)
        case "minItems": draft.minItems = try Self.count(value, here)
        case "maxItems": draft.maxItems = try Self.count(value, here)
        case "minProperties": draft.minProperties = try Self.count(value, here)
        case "maxProperties": draft.maxProperties = try Self.count(value, here)
        case "pattern":
            draft.pattern = try pattern(value, here)
        case "uniqueItems":
            guard case .bool(let unique) = SchemaValue.scalar(value), value.scalar != nil else {
                throw Self.invalid(value, here, "expected true or false, found \(value.kindName)")
            }
            draft.uniqueItems = unique
        case "items":
            guard value.sequence == nil else {
                throw Self.invalid(value, here, "the list form of \"items\" (tuple validation) is not supported")
            }
            draft.items = try compile(value, pointer: here)
        case "properties":
            for pair in try Self.mapping(value, here) {
                let name = SchemaValue.propertyName(pair.key)
                draft.properties.append((name, try compile(pair.value, pointer: here + "/" + Self.escape(name))))
            }
        case "patternProperties":
            for pair in try Self.mapping(value, here) {
                let source = SchemaValue.propertyName(pair.key)
                let compiled = try pattern(pair.key, here)
                let schema = try compile(pair.value, pointer: here + "/" + Self.escape(source))
                draft.patternProperties.append(Subschema.PatternProperty(pattern: compiled, schema: schema))
            }
        case "additionalProperties": draft.additionalProperties = try compile(value, pointer: here)
        case "unevaluatedProperties": draft.unevaluatedProperties = try compile(value, pointer: here)
        case "not": draft.not = try compile(value, pointer: here)
        case "required":
            guard let list = value.sequence else {
                throw Self.invalid(value, here, "expected a list of property names, found \(value.kindName)")
            }
            draft.required = try list.map { (item) throws(CoreError) in try Self.string(item, here) }
        case "allOf", "anyOf", "oneOf":
            guard let list = value.sequence, !list.isEmpty else {
                throw Self.invalid(value, here, "expected a non-empty list of schemas, found \(value.kindName)")
            }
            var branches: [Int] = []
            for (i, item) in list.enumerated() { branches.append(try compile(item, pointer: here + "/\(i)")) }
            switch keyword {
            case "allOf": draft.allOf = branches
            case "anyOf": draft.anyOf = branches
            default: draft.oneOf = branches
            }
        case "$ref":
            draft.refPointer = try reference(value, here)
        case "$defs", "definitions":
            for pair in try Self.mapping(value, here) {
                _ = try compile(pair.value, pointer: here + "/" + Self.escape(SchemaValue.propertyName(pair.key)))
            }
        default:
            if Self.unsupportedKeywords.contains(keyword) {
                throw Self.invalid(value, here, "keyword \"\(keyword)\" is not supported by komply's validator")
            }
        // Annotations and unknown keywords do not affect validation (JSON Schema ignores them).
        }
    }

    /// Compiles every `$ref` target (compiling targets the document walk did not reach) and returns
    /// each draft's resolved reference.
    mutating func resolveReferences() throws(CoreError) -> [Int?] {
        var i = 0
        while i < drafts.count {
            if let target = drafts[i].refPointer, indexByPointer[target] == nil {
                guard let node = Self.resolve(pointer: target, in: document) else {
                    throw .syntax(
                        drafts[i].location,
                        problem: "invalid JSON Schema at \(Self.display(drafts[i].pointer)): "
                            + "$ref \"#\(target)\" points to nothing in the schema")
                }
                _ = try compile(node, pointer: target)
            }
            i += 1
        }
        return drafts.map { draft in draft.refPointer.flatMap { indexByPointer[$0] } }
    }

    /// Rejects loops of `$ref`/`allOf`/`anyOf`/`oneOf`/`not` that never step into the instance, then
    /// freezes the drafts into subschemas.
    func finish(root: Int, refs: [Int?]) throws(CoreError) -> CompiledSchema {
        let edges = drafts.indices.map { i in (refs[i].map { [$0] } ?? []) + drafts[i].inPlaceChildren }
        var state = [UInt8](repeating: 0, count: drafts.count)  // 0 new, 1 on the stack, 2 done
        func visit(_ i: Int, _ stack: inout [Int]) -> [Int]? {
            state[i] = 1
            stack.append(i)
            for next in edges[i] {
                if state[next] == 1 { return Array(stack[stack.lastIndex(of: next)!...]) + [next] }
                if state[next] == 0, let loop = visit(next, &stack) { return loop }
            }
            stack.removeLast()
            state[i] = 2
            return nil
        }
        for i in drafts.indices where state[i] == 0 {
            var stack: [Int] = []
            if let loop = visit(i, &stack) {
                let path = loop.map { Self.display(drafts[$0].pointer) }.joined(separator: " → ")
                throw .syntax(
                    drafts[loop[0]].location,
                    problem: "invalid JSON Schema: references loop without "
                        + "reaching a value (\(path))")
            }
        }

        var types = [SchemaTypes?](repeating: nil, count: drafts.count)
        func possibleTypes(_ i: Int) -> SchemaTypes {
            if let known = types[i] { return known }
            let draft = drafts[i]
            var result: SchemaTypes = draft.isFalse ? [] : draft.types
            if let values = draft.enumValues {
                result.formIntersection(values.reduce(into: SchemaTypes()) { $0.formUnion($1.type) })
            }
            if let value = draft.constValue { result.formIntersection(value.type) }
            if let ref = refs[i] { result.formIntersection(possibleTypes(ref)) }
            for branch in draft.allOf { result.formIntersection(possibleTypes(branch)) }
            for alternatives in [draft.anyOf, draft.oneOf] where !alternatives.isEmpty {
                result.formIntersection(alternatives.reduce(into: SchemaTypes()) { $0.formUnion(possibleTypes($1)) })
            }
            types[i] = result
            return result
        }
        var names = [[String]?](repeating: nil, count: drafts.count)
        func knownProperties(_ i: Int) -> [String] {
            if let known = names[i] { return known }
            let draft = drafts[i]
            var result = draft.properties.map(\.0)
            for child in (refs[i].map { [$0] } ?? []) + draft.allOf + draft.anyOf + draft.oneOf {
                result += knownProperties(child).filter { !result.contains($0) }
            }
            names[i] = result
            return result
        }
        let subschemas = drafts.indices.map { i in
            Subschema(drafts[i], ref: refs[i], possibleTypes: possibleTypes(i), knownProperties: knownProperties(i))
        }
        return CompiledSchema(subschemas: subschemas, patterns: patterns, root: root)
    }

    mutating func pattern(_ node: Node, _ pointer: String) throws(CoreError) -> Int {
        let source = try Self.string(node, pointer)
        if let existing = patternIndex[source] { return existing }
        guard let compiled = SchemaPattern(source) else {
            throw Self.invalid(node, pointer, "\"\(source)\" is not a valid regular expression")
        }
        patterns.append(compiled)
        patternIndex[source] = patterns.count - 1
        return patterns.count - 1
    }

    /// The JSON pointer a `$ref` names; only references into this document are supported.
    func reference(_ node: Node, _ pointer: String) throws(CoreError) -> String {
        var ref = try Self.string(node, pointer)
        if let id = documentID, ref.hasPrefix(id), (ref.dropFirst(id.count).first ?? "#") == "#" {
            ref = String(ref.dropFirst(id.count))
        }
        if ref.isEmpty { ref = "#" }
        guard ref.hasPrefix("#") else {
            throw Self.invalid(node, pointer, "$ref \"\(ref)\" points outside the schema; only \"#/…\" references are supported")
        }
        let fragment = String(ref.dropFirst()).removingPercentEncoding ?? String(ref.dropFirst())
        guard fragment.isEmpty || fragment.hasPrefix("/") else {
            throw Self.invalid(node, pointer, "$ref \"\(ref)\" names an anchor; only JSON pointers (\"#/…\") are supported")
        }
        return fragment
    }

    static func resolve(pointer: String, in document: Node) -> Node? {
        var node = document
        for token in pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let name = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            if let pairs = node.mapping {
                guard let pair = pairs.first(where: { SchemaValue.propertyName($0.key) == name }) else { return nil }
                node = pair.value
            } else if let items = node.sequence, let index = Int(name), items.indices.contains(index) {
                node = items[index]
            } else {
                return nil
            }
        }
        return node
    }

    static func escape(_ token: String) -> String {
        token.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    static func display(_ pointer: String) -> String { "#" + pointer }

    static func invalid(_ node: Node, _ pointer: String, _ problem: String) -> CoreError {
        .syntax(node.location, problem: "invalid JSON Schema at \(display(pointer)): \(problem)")
    }

    static func string(_ node: Node, _ pointer: String) throws(CoreError) -> String {
        guard case .string(let text) = SchemaValue.scalar(node), node.scalar != nil else {
            throw invalid(node, pointer, "expected a string, found \(node.kindName)")
        }
        return text
    }

    static func number(_ node: Node, _ pointer: String) throws(CoreError) -> Double {
        guard node.scalar != nil else { throw invalid(node, pointer, "expected a number, found \(node.kindName)") }
        switch SchemaValue.scalar(node) {
        case .int(let i): return Double(i)
        case .float(let d): return d
        default: throw invalid(node, pointer, "expected a number, found \(node.kindName)")
        }
    }

    static func count(_ node: Node, _ pointer: String) throws(CoreError) -> Int {
        guard node.scalar != nil, case .int(let n) = SchemaValue.number(try number(node, pointer)), n >= 0 else {
            throw invalid(node, pointer, "expected a non-negative integer, found \(node.kindName)")
        }
        return n
    }

    static func mapping(_ node: Node, _ pointer: String) throws(CoreError) -> [Node.Pair] {
        guard let pairs = node.mapping else { throw invalid(node, pointer, "expected a mapping, found \(node.kindName)") }
        return pairs
    }
}
