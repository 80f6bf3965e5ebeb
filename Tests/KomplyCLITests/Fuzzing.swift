import Foundation

/// The seeded mutation fuzzer behind `FuzzTests` and `scripts/fuzz`: real inputs from the repository's
/// fixtures, mutated the way hostile and ordinary-odd files differ from them (hostile numbers, interpolation
/// bombs, BOM, CRLF, no final newline, truncation, unicode, flipped bytes), each run through the `komply`
/// binary under a time limit. The same seed gives the same inputs.
struct Fuzzer {
    /// SplitMix64: small, fast and the same on every platform, so a seed reproduces a failure.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// What one campaign saw.
    struct Tally: CustomStringConvertible {
        var inputs = 0
        var exits: [Int32: Int] = [:]
        /// Inputs that ended in a signal or an exit status komply never uses (a trap is 132).
        var crashes: [String] = []
        /// Inputs that outlived the time limit.
        var hangs: [String] = []
        /// Files `lint --fix` left unparseable or that a second `--fix` changed again.
        var corrupted: [String] = []
        /// Exit-2 runs whose message does not name the input file.
        var unnamed: [String] = []

        var description: String {
            let statuses = exits.keys.sorted().map { "exit \($0): \(exits[$0]!)" }.joined(separator: ", ")
            return
                "\(inputs) inputs (\(statuses)); crashes \(crashes.count), hangs \(hangs.count), corrupted \(corrupted.count), errors without the file named \(unnamed.count)"
        }

        /// Every problem, one line each.
        var problems: [String] { crashes + hangs + corrupted + unnamed }
    }

    var random: Random
    /// Position in the sweep of every numeric compose key × every hostile number (key injection walks it in
    /// order, so a short campaign still tries each pair).
    var sweep = 0
    /// Seconds any one komply run may take before it counts as a hang.
    let limit: Int
    let komply: URL
    let workspace: URL

    init(seed: UInt64, limit: Int, komply: URL, workspace: URL) {
        random = Random(state: seed)
        self.limit = limit
        self.komply = komply
        self.workspace = workspace
    }

    /// Numbers that broke readers before: huge, negative, not finite, past Int64, with units.
    static let hostileNumbers = [
        "1e300", "9223372036854775807", "NaN", "-1", ".inf", "-1e300", "0", "4.6e18", "8e18", "1e10", "inf", ".nan", "-.inf",
        "-9223372036854775808", "18446744073709551616", "1e-300", "999999999999999TiB", "8000PiB", "0x7fffffff",
    ]

    /// Fragments that broke parsers before, or that ordinary files contain.
    static let hostileFragments = [
        String(repeating: "${A}", count: 300), String(repeating: "${A:-", count: 80) + "x" + String(repeating: "}", count: 80),
        "\u{FEFF}", "\r\n", "\r", "é漢字🙂\u{202E}", "[", "{", "}", "]", "&a [*a, *a, *a]", "*a", "'", "\"", "- ", ": ", "\t",
        "../../../../etc/passwd", "/etc/hostname", "1-65535", "0:0", ",", "? ", "!!binary", "%YAML 1.1\n", "---\n", "...\n", "|\n",
        "\u{0}", String(repeating: "x", count: 100_000),
    ]

    /// Compose keys whose values are numbers komply computes with, for `edit`'s key injection (`H` is the
    /// hostile number).
    static let composeNumberKeys = [
        "cpus: H", "mem_limit: H", "mem_reservation: H", "shm_size: H", "pids_limit: H", "stop_grace_period: Hs",
        "deploy: {replicas: H}", "deploy: {resources: {limits: {cpus: 'H', memory: H}, reservations: {cpus: 'H'}}}",
        "healthcheck: {test: [\"CMD\", \"true\"], interval: Hs, timeout: Hs, retries: H, start_period: Hs}",
        "environment: {GOMEMLIMIT: H, GOMAXPROCS: H, NODE_OPTIONS: \"--max-old-space-size=H\", JAVA_OPTS: \"-XmxHg\"}",
        "ports: [\"H:80\"]", "expose: [\"H\"]", "ulimits: {nofile: H}", "x-komply: {replicas: H}",
        "x-komply: {resources: {limits: {cpu: 'H', memory: H}}}",
    ]

    /// A mutation of `seed`: usually one edit, sometimes two or three.
    mutating func mutate(_ seed: Data) -> Data {
        var bytes = [UInt8](seed)
        let edits = Int.random(in: 0..<10, using: &random) < 6 ? 1 : Int.random(in: 2...3, using: &random)
        for _ in 0..<edits {
            bytes = edit(bytes)
        }
        return Data(bytes)
    }

    /// Runs komply with `arguments` in `folder` under the time limit; records crashes and hangs.
    mutating func run(_ arguments: [String], in folder: URL, label: String, tally: inout Tally) -> (
        status: Int32, stdout: String, stderr: String
    ) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/timeout")
        process.arguments = ["-s", "KILL", "\(limit)", komply.path] + arguments
        process.currentDirectoryURL = folder
        let out = folder.appendingPathComponent(".stdout"), err = folder.appendingPathComponent(".stderr")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        guard let outHandle = try? FileHandle(forWritingTo: out), let errHandle = try? FileHandle(forWritingTo: err) else {
            return (-1, "", "")
        }
        process.standardOutput = outHandle
        process.standardError = errHandle
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return (-1, "", "\(error)") }
        process.waitUntilExit()
        try? outHandle.close()
        try? errHandle.close()
        let status = process.terminationStatus
        tally.exits[status, default: 0] += 1
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = String(decoding: (try? Data(contentsOf: err)) ?? Data(), as: UTF8.self)
        if ProcessInfo.processInfo.environment["KOMPLY_FUZZ_VERBOSE"] != nil {
            print("\(label): exit \(status): \(stderr.split(separator: "\n").last ?? "")")
        }
        if status == 137 || status == 124 {
            tally.hangs.append("\(label): komply \(arguments.joined(separator: " ")) ran past \(limit) s")
        } else if ![0, 1, 2].contains(status) {
            tally.crashes.append("\(label): komply \(arguments.joined(separator: " ")) exited \(status): \(stderr.suffix(300))")
        }
        return (status, stdout, stderr)
    }

    /// A fresh folder for one input.
    func folder(_ name: String) -> URL {
        let folder = workspace.appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }
}

private extension Fuzzer {
    /// One standalone number in the text (a CSV field, a YAML or JSON value — not a digit of a date, a time,
    /// a port mapping or a word) replaced by a hostile one.
    mutating func numberEdit(_ text: String) -> [UInt8]? {
        let numbers = text.ranges(of: #"(?<![\w.:/-])-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?(?![\w.:/-])"#)
        guard let range = numbers.randomElement(using: &random) else { return nil }
        var copy = text
        copy.replaceSubrange(range, with: hostileNumber())
        return [UInt8](copy.utf8)
    }

    /// A hostile number, most often one of the six that broke komply before (huge, Int64.max, NaN, -1, inf).
    mutating func hostileNumber() -> String {
        let pool = Int.random(in: 0..<10, using: &random) < 7 ? Self.hostileNumbers.prefix(6) : Self.hostileNumbers[...]
        return pool.randomElement(using: &random)!
    }

    /// A numeric compose key with a hostile value added under a service (`  name:` lines).
    mutating func keyInjection(_ text: String) -> [UInt8]? {
        var lines = text.components(separatedBy: "\n")
        guard let start = lines.firstIndex(of: "services:") else { return nil }
        let end = lines[(start + 1)...].firstIndex { !$0.isEmpty && !$0.hasPrefix(" ") && !$0.hasPrefix("#") } ?? lines.count
        let services = (start + 1..<end).filter { index in
            let line = lines[index]
            return line.hasPrefix("  ") && !line.hasPrefix("   ") && line.hasSuffix(":") && !line.contains(" #")
        }
        guard let service = services.randomElement(using: &random) else { return nil }
        let number = Self.hostileNumbers[(sweep / Self.composeNumberKeys.count) % Self.hostileNumbers.count]
        let key = Self.composeNumberKeys[sweep % Self.composeNumberKeys.count].replacingOccurrences(of: "H", with: number)
        sweep += 1
        // A key the service already has would be a duplicate key, refused before any number is read.
        let name = "    " + key.prefix { $0 != ":" } + ":"
        let block = lines[(service + 1)...].prefix { $0.hasPrefix("   ") || $0.isEmpty }
        if block.contains(where: { $0.hasPrefix(name) }) { return numberEdit(text) }
        lines.insert("    " + key, at: service + 1)
        return [UInt8](lines.joined(separator: "\n").utf8)
    }

    mutating func edit(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let text = String(decoding: bytes, as: UTF8.self)
        let roll = Int.random(in: 0..<20, using: &random)
        // Most edits keep the file valid and make one number hostile: that is where traps hide.
        if roll < 6 { return numberEdit(text) ?? bytes }
        if roll < 12, text.contains("services:") { return keyInjection(text) ?? bytes }
        switch Int.random(in: 1..<11, using: &random) {
        case 1:  // a fragment lands anywhere
            let fragment = [UInt8](Self.hostileFragments.randomElement(using: &random)!.utf8)
            bytes.insert(contentsOf: fragment, at: Int.random(in: 0...bytes.count, using: &random))
        case 2:  // a value after `: ` is replaced
            let values = text.ranges(of: #": [^\n]+"#)
            guard let range = values.randomElement(using: &random) else { return bytes }
            var copy = text
            let replacement =
                Bool.random(using: &random)
                ? hostileNumber() : Self.hostileFragments.randomElement(using: &random)!
            copy.replaceSubrange(range, with: ": " + replacement)
            return [UInt8](copy.utf8)
        case 3, 4:  // a line is deleted, duplicated or moved
            var lines = text.components(separatedBy: "\n")
            guard lines.count > 1 else { return bytes }
            let index = Int.random(in: 0..<lines.count, using: &random)
            let line = lines.remove(at: index)
            if Bool.random(using: &random) { lines.insert(line, at: Int.random(in: 0...lines.count, using: &random)) }
            if Bool.random(using: &random) { lines.insert(line, at: Int.random(in: 0...lines.count, using: &random)) }
            return [UInt8](lines.joined(separator: "\n").utf8)
        case 5:  // truncated
            guard !bytes.isEmpty else { return bytes }
            bytes.removeLast(Int.random(in: 1...bytes.count, using: &random))
        case 6:  // line ends
            return [UInt8](text.replacingOccurrences(of: "\n", with: Bool.random(using: &random) ? "\r\n" : "\r").utf8)
        case 7:  // no final newline, or a BOM
            if Bool.random(using: &random) {
                while bytes.last == 10 { bytes.removeLast() }
            } else {
                bytes.insert(contentsOf: [0xEF, 0xBB, 0xBF], at: 0)
            }
        case 8:  // flipped bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
        case 9:  // a deep nest
            let depth = Int.random(in: 50...3000, using: &random)
            let open = Bool.random(using: &random) ? "[" : "{a: "
            let close = open == "[" ? "]" : "}"
            let nest = String(repeating: open, count: depth) + String(repeating: close, count: depth)
            bytes.insert(contentsOf: [UInt8](nest.utf8), at: Int.random(in: 0...bytes.count, using: &random))
        default:  // a block is repeated many times (wide files, many keys)
            let lines = text.components(separatedBy: "\n")
            guard lines.count > 2 else { return bytes }
            let start = Int.random(in: 0..<lines.count - 1, using: &random)
            let block = lines[start...min(lines.count - 1, start + 3)].joined(separator: "\n")
            let repeated = Array(repeating: block, count: Int.random(in: 2...200, using: &random)).joined(separator: "\n")
            return [UInt8](
                (lines[..<start].joined(separator: "\n") + "\n" + repeated + "\n" + lines[(start + 1)...].joined(separator: "\n")).utf8)
        }
        return bytes
    }
}

private extension String {
    func ranges(of pattern: String) -> [Range<String.Index>] {
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        return regex.matches(in: self, range: NSRange(startIndex..., in: self)).compactMap { Range($0.range, in: self) }
    }
}
