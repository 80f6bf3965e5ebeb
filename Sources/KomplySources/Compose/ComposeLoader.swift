import Foundation
import KomplyCore

/// What to load as one compose application.
public struct ComposeRequest: Sendable {
    /// Compose files in merge order (absolute or relative to the current directory).
    public var files: [String]
    /// `--env-file` files; when empty, `.env` in the project directory is used if present.
    public var envFiles: [String]
    /// Profiles to enable (added to `COMPOSE_PROFILES`).
    public var profiles: [String]
    /// The process environment (injected so tests control it).
    public var environment: [String: String]
    /// The project name, overriding `name:` and the folder name.
    public var projectName: String?
    /// Files komply reads must stay inside this directory; nil means the git repository around
    /// the project directory, or the project directory when it is not in a repository.
    public var root: String?

    /// Creates a request.
    public init(
        files: [String], envFiles: [String] = [], profiles: [String] = [],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        projectName: String? = nil, root: String? = nil
    ) {
        self.files = files
        self.envFiles = envFiles
        self.profiles = profiles
        self.environment = environment
        self.projectName = projectName
        self.root = root
    }
}

/// Loads compose files into a `ComposeProject` the way `docker compose config` does.
public enum ComposeLoader {
    /// The file names docker compose looks for in a folder, in its order of preference.
    public static let defaultFileNames = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"]

    /// How many `extends` may follow one another from a service; real files use one or two.
    public static let maxExtendsDepth = 64

    /// How many ports one range in `ports` or `expose` may span; each becomes a container port and
    /// a Service port, so `1-65535` would write 65,535 of each.
    public static let maxPortsPerRange = 1_000

    /// How many ports one service's `ports` (or `expose`) list may add up to, ranges expanded.
    public static let maxPortsPerList = 1_000

    /// The compose file and its override file in `directory`, as docker compose finds them.
    public static func discover(in directory: String) throws(SourcesError) -> [String] {
        for name in defaultFileNames {
            let path = PathUtilities.join(directory, name)
            guard FileManager.default.fileExists(atPath: path) else { continue }
            let stem = (name as NSString).deletingPathExtension
            let ext = (name as NSString).pathExtension
            var files = [path]
            for overrideName in ["\(stem).override.\(ext)", "\(stem).override.\(ext == "yaml" ? "yml" : "yaml")"] {
                let overridePath = PathUtilities.join(directory, overrideName)
                if FileManager.default.fileExists(atPath: overridePath) {
                    files.append(overridePath)
                    break
                }
            }
            return files
        }
        throw .noComposeFile(directory: directory)
    }

    /// What a later `${KEY}` of the same `.env` or `env_file` receives for an earlier entry: its marker when it is secret.
    static func markingSecret(_ key: String, _ value: String?) -> String? {
        guard let value, SecretDetector.reason(name: key, value: value) != nil else { return value }
        return SecretTaint.marker(key)
    }

    /// Loads, interpolates, validates, merges and normalises the request's files.
    public static func load(_ request: ComposeRequest) throws(SourcesError) -> ComposeProject {
        var loader = try Loader(request: request)
        return try loader.run()
    }
}

/// The state of one load: variables, parsed files and warnings.
private struct Loader {
    let request: ComposeRequest
    let projectDirectory: String
    let root: RepositoryRoot
    var variables: [String: String]
    /// What interpolation substitutes: each variable's value, or `SecretTaint.marker(name)` for a secret one.
    var markedVariables: [String: String] = [:]
    /// Why each secret variable is secret.
    var secretVariables: [String: SecretReason] = [:]
    /// Process environment variables whose values hold a marker character; using one is refused.
    var poisoned: Set<String> = []
    var diagnostics: [Diagnostic] = []
    /// Parsed and interpolated files by absolute path (for `extends: file:`).
    var fileCache: [String: Node] = [:]

    init(request: ComposeRequest) throws(SourcesError) {
        guard let first = request.files.first else { throw .unrecognisedInput(path: ".", reason: "no compose file given") }
        self.request = request
        projectDirectory = PathUtilities.normalize((PathUtilities.absolute(first) as NSString).deletingLastPathComponent)
        root = request.root.map(RepositoryRoot.init) ?? Self.root(around: projectDirectory)
        variables = request.environment
    }

    /// The repository the project belongs to: the one komply runs in when the project's path lies in
    /// it as written (so an app folder that is a symbolic link out of it is judged by this repository,
    /// not by wherever the link points), else the repository around the project's real folder, else
    /// that folder. A snapshot's copy holds a `.git` file, so its root is the copy, never the host.
    static func root(around projectDirectory: String) -> RepositoryRoot {
        if let here = RepositoryRoot.enclosing(FileManager.default.currentDirectoryPath), here.relative(projectDirectory) != nil {
            return here
        }
        return RepositoryRoot.enclosing(projectDirectory) ?? RepositoryRoot(projectDirectory)
    }

    mutating func run() throws(SourcesError) -> ComposeProject {
        try loadEnvFiles()
        markSecretVariables()
        var documents: [(path: String, node: Node)] = []
        for file in request.files {
            let absolute = PathUtilities.absolute(file)
            try confine(absolute, shown: file, at: nil)
            documents.append((absolute, try parse(absolute)))
        }

        var services: [String: (decoded: DecodedService, order: Int)] = [:]
        var tables: [String: [String: ValueTree]] = ["networks": [:], "volumes": [:], "secrets": [:], "configs": [:]]
        var extensions: [String: ValueTree] = [:]
        var declaredName: String?
        for (path, document) in documents {
            for pair in document.mapping ?? [] {
                let key = pair.key.scalar ?? ""
                switch key {
                case "name": declaredName = try pair.value.optionalText("name")
                case "version":
                    diagnostics.append(Diagnostic(.warning, "the attribute `version` is obsolete and ignored", at: pair.key.location))
                case "include":
                    diagnostics.append(
                        Diagnostic(
                            .warning, "`include` is not supported by komply yet; the included files were not read", at: pair.key.location))
                case "services":
                    guard !pair.value.isNull else { continue }
                    for servicePair in try pair.value.pairs("services") {
                        let name = try servicePair.key.text("services")
                        var resolved = try resolveService(name: name, node: servicePair.value, file: path, chain: [])
                        resolved.service.komply.source = SourceLocation(file: display(path), range: servicePair.key.range)
                        if let existing = services[name] {
                            let merged = ServiceMerger.merge(
                                base: existing.decoded.service, override: resolved.service, keys: resolved.keys)
                            services[name] = (
                                DecodedService(service: merged, keys: existing.decoded.keys.union(resolved.keys)), existing.order
                            )
                        } else {
                            services[name] = (resolved, services.count)
                        }
                    }
                case "networks", "volumes", "secrets", "configs":
                    guard !pair.value.isNull else { continue }
                    for entry in try pair.value.pairs(key) {
                        let name = try entry.key.text(key)
                        tables[key]![name] = try topLevel(key, entry.value, file: path)
                    }
                default:
                    if key.hasPrefix("x-") {
                        extensions[key] = pair.value.valueTree()
                    } else {
                        diagnostics.append(
                            Diagnostic(.warning, "top-level `\(key)` is not supported by komply; ignored", at: pair.key.location))
                    }
                }
            }
        }

        let active = activeProfiles()
        var enabled = services.values.sorted { $0.decoded.service.name < $1.decoded.service.name }.map(\.decoded.service)
        enabled = enabled.filter { service in
            service.profiles.isEmpty || !active.isDisjoint(with: service.profiles) || active.contains("*")
        }
        try validateReferences(enabled, all: services.mapValues(\.decoded.service), tables: tables)

        let name =
            request.projectName ?? variables["COMPOSE_PROJECT_NAME"].flatMap { $0.isEmpty ? nil : $0 } ?? declaredName
            ?? normalizedProjectName((projectDirectory as NSString).lastPathComponent)
        var project = ComposeProject(
            name: name, services: enabled, networks: tables["networks"]!, volumes: tables["volumes"]!,
            secrets: tables["secrets"]!, configs: tables["configs"]!, extensions: extensions,
            sourceFiles: request.files.map { display(PathUtilities.absolute($0)) }, diagnostics: unique(diagnostics))
        project.projectDirectory = projectDirectory
        project.repositoryRoot = root.path
        let used = Set(project.services.flatMap(\.taintedVariables))
        // A variable used only through its default (`${DB_PASS:-x}`, DB_PASS unset) is secret by its name.
        for name in used { project.secretVariables[name] = secretVariables[name] ?? SecretDetector.nameReason(name) }
        SecretScrubber.scrub(&project)
        return project
    }

    /// Decides which variables are secret (by name, shape or taint) and fills `markedVariables`.
    mutating func markSecretVariables() {
        for (name, value) in request.environment where SecretTaint.holdsMarkerCharacter(value) { poisoned.insert(name) }
        for (name, value) in variables where !poisoned.contains(name) {
            if let reason = SecretDetector.reason(name: name, value: value) {
                secretVariables[name] = reason
                markedVariables[name] = SecretTaint.marker(name)
            } else {
                markedVariables[name] = value
            }
        }
    }

    /// Reads `.env` (or the `--env-file`s) into the variables; the process environment wins.
    mutating func loadEnvFiles() throws(SourcesError) {
        var files = request.envFiles.map(PathUtilities.absolute)
        if files.isEmpty {
            let dotEnv = PathUtilities.join(projectDirectory, ".env")
            // A dangling `.env` link is judged too: one that leads out is refused, not skipped.
            let isLink = (try? FileManager.default.destinationOfSymbolicLink(atPath: dotEnv)) != nil
            if FileManager.default.fileExists(atPath: dotEnv) || isLink { files = [dotEnv] }
        } else {
            for (file, shown) in zip(files, request.envFiles) where !FileManager.default.fileExists(atPath: file) {
                throw .missingFile(nil, path: shown, purpose: "--env-file")
            }
        }
        for (index, file) in files.enumerated() {
            // `.env` symlinked out of the repository is refused like any path a source names.
            try confine(file, shown: index < request.envFiles.count ? request.envFiles[index] : display(file), at: nil)
            let data: Data
            do { data = try YAMLLoader.read(path: file, displayName: display(file)) } catch { throw .core(error) }
            let environment = request.environment
            var poisonedUse: String?
            let entries: [(key: String, value: String?)]
            do throws(DotEnvError) {
                // Secret values become markers as they are read, so a variable built from one is tainted too.
                entries = try DotEnv.parse(
                    String(decoding: data, as: UTF8.self),
                    lookup: { name in
                        guard let value = environment[name] else { return nil }
                        if SecretTaint.holdsMarkerCharacter(value) { poisonedUse = name }
                        return SecretDetector.reason(name: name, value: value) == nil ? value : SecretTaint.marker(name)
                    },
                    reference: ComposeLoader.markingSecret)
            } catch {
                let position = SourcePosition(line: error.line, column: error.column)
                throw .malformed(
                    SourceLocation(file: display(file), range: SourceRange(start: position, end: position)),
                    message: error.message)
            }
            if let poisonedUse { throw .markerCharacter(SourceLocation(file: display(file)), variable: poisonedUse) }
            for (key, value) in entries where environment[key] == nil {
                variables[key] = value ?? ""
            }
        }
    }

    /// Parses one compose file, interpolates it and validates it against the Compose schema.
    mutating func parse(_ absolute: String) throws(SourcesError) -> Node {
        if let cached = fileCache[absolute] { return cached }
        let shown = display(absolute)
        guard FileManager.default.fileExists(atPath: absolute) else { throw .missingFile(nil, path: shown, purpose: "compose file") }
        let documents: [Node]
        do { documents = try YAMLLoader.load(path: absolute, displayName: shown) } catch { throw .core(error) }
        guard var document = documents.first else {
            throw .malformed(SourceLocation(file: shown), message: "the file is empty; expected a compose file with a `services` mapping")
        }
        if documents.count > 1 {
            diagnostics.append(
                Diagnostic(.warning, "only the first of \(documents.count) YAML documents is read", at: documents[1].location))
        }
        guard document.mapping != nil else {
            throw .invalid(document.location, key: "the top level", expected: "a mapping", found: document.kindName)
        }
        var unset: [String: SourceLocation] = [:]
        document = try interpolate(document, path: [], unset: &unset)
        for (name, location) in unset.sorted(by: {
            $0.value.range?.start ?? .init(line: 0, column: 0) < $1.value.range?.start ?? .init(line: 0, column: 0)
        }) {
            diagnostics.append(Diagnostic(.warning, "the \"\(name)\" variable is not set; defaulting to a blank string", at: location))
        }
        if let violation = ComposeSchema.validate(document).first {
            throw .malformed(violation.location, message: violation.message)
        }
        fileCache[absolute] = document
        return document
    }

    /// Interpolates every scalar value (not keys) of a node; `path` is the keys from the document root.
    ///
    /// A secret variable becomes its marker (`SecretTaint`), which only the places Kubernetes can
    /// fill from a Secret may take (`SecretPlacement`); anywhere else is refused with its position.
    func interpolate(_ node: Node, path: [String], unset: inout [String: SourceLocation]) throws(SourcesError) -> Node {
        var node = node
        switch node.content {
        case .scalar(let text, let style):
            if SecretTaint.holdsMarkerCharacter(text) { throw .markerCharacter(node.location, variable: nil) }
            guard text.contains("$") else { return node }
            var names = Set<String>()
            let lookupTable = markedVariables
            let poisoned = poisoned
            var poisonedUse: String?
            do {
                let value = try Interpolation.interpolate(
                    text,
                    lookup: { name in
                        if poisoned.contains(name) { poisonedUse = name }
                        return lookupTable[name]
                    }, unset: &names,
                    // `${DB_PASS:-changeme}`: the default of a secret-named variable is its value, so it is secret too.
                    defaulted: { name, word in
                        guard SecretDetector.reason(name: name, value: word) != nil, !SecretTaint.isTainted(word) else { return word }
                        return SecretTaint.marker(name)
                    })
                // compose-go interpolates strings: a plain `$UNSET` becomes "", not YAML null (which in
                // `environment` would mean "take it from the shell").
                node.content = .scalar(value, value.isEmpty && style == .plain ? .doubleQuoted : style)
                if let poisonedUse { throw SourcesError.markerCharacter(node.location, variable: poisonedUse) }
                if let variable = SecretTaint.variables(in: value).first, !SecretPlacement.accepts(path) {
                    throw SourcesError.secretOutOfPlace(
                        node.location, key: SecretPlacement.describe(path), variable: variable,
                        reason: secretVariables[variable]?.description ?? SecretDetector.nameReason(variable)?.description
                            ?? "it is secret")
                }
            } catch let error as SourcesError {
                throw error
            } catch let error as InterpolationError {
                // compose-go quotes the whole value; a secret one is named instead.
                let last = path.last ?? ""
                // A list entry (`- DB_PASSWORD=…`) carries its name before the `=`.
                let key = last.hasPrefix("[") ? String(text.prefix { $0 != "=" }) : last
                let shown =
                    SecretDetector.reason(name: key, value: text) == nil
                    ? error.message
                    : error.message.replacingOccurrences(
                        of: Interpolation.goQuoted(text), with: "the value of \(key) (not shown: it is secret)")
                throw .interpolation(node.location, message: shown)
            } catch {
                throw .interpolation(node.location, message: "\(error)")
            }
            for name in names where unset[name] == nil { unset[name] = node.location }
        case .sequence(let items):
            var result: [Node] = []
            for (index, item) in items.enumerated() {
                result.append(try interpolate(item, path: path + ["[\(index)]"], unset: &unset))
            }
            node.content = .sequence(result)
        case .mapping(let pairs):
            var result: [Node.Pair] = []
            for pair in pairs {
                let key = pair.key.scalar ?? "?"
                result.append(Node.Pair(key: pair.key, value: try interpolate(pair.value, path: path + [key], unset: &unset)))
            }
            node.content = .mapping(result)
        }
        return node
    }

    /// Decodes a service and applies its `extends` chain.
    mutating func resolveService(name: String, node: Node, file: String, chain: [String]) throws(SourcesError) -> DecodedService {
        let link = "\(display(file)):\(name)"
        var decoder = ServiceDecoder(context: context(for: file))
        var decoded = try decoder.decode(name: name, node: node)
        diagnostics += decoder.diagnostics
        guard let reference = decoded.extends else { return decoded }
        let baseFile =
            reference.file.map { PathUtilities.normalize(PathUtilities.join((file as NSString).deletingLastPathComponent, $0)) } ?? file
        let baseLink = "\(display(baseFile)):\(reference.service)"
        if chain.contains(baseLink) || baseLink == link {
            throw .extendsCycle(reference.location, chain: chain + [link, baseLink])
        }
        // Each link is a recursive call: a bound keeps a long chain from overflowing the stack.
        guard chain.count < ComposeLoader.maxExtendsDepth else {
            throw .extendsTooDeep(reference.location, limit: ComposeLoader.maxExtendsDepth)
        }
        if let shown = reference.file {
            do { _ = try root.resolve(shown, from: (file as NSString).deletingLastPathComponent, at: reference.location) } catch {
                throw .core(error)
            }
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: baseFile, isDirectory: &isFolder) else {
                throw .missingFile(reference.location, path: shown, purpose: "extends file")
            }
            guard !isFolder.boolValue else {
                throw .malformed(reference.location, message: "extends.file \"\(shown)\" is a folder; expected a compose file")
            }
        }
        let baseDocument = try parse(baseFile)
        guard let baseNode = baseDocument["services"]?[reference.service] else {
            throw .undefined(reference.location, kind: "service", name: reference.service)
        }
        let base = try resolveService(name: reference.service, node: baseNode, file: baseFile, chain: chain + [link])
        var merged = ServiceMerger.merge(base: base.service, override: decoded.service, keys: decoded.keys)
        merged.name = name
        merged.komply.source = decoded.service.komply.source
        decoded.service = merged
        decoded.keys.formUnion(base.keys)
        decoded.extends = nil
        return decoded
    }

    func context(for file: String) -> FileContext {
        FileContext(
            projectDirectory: projectDirectory, fileDirectory: (file as NSString).deletingLastPathComponent,
            root: root, variables: markedVariables)
    }

    /// A top-level network, volume, secret or config, with file paths made project-relative; a
    /// secret's or config's relative `file:` must resolve inside the repository (an absolute one is
    /// a host file komply never reads).
    func topLevel(_ kind: String, _ node: Node, file: String) throws(SourcesError) -> ValueTree {
        guard var members = node.valueTree().objectMembers else { return .object([]) }
        let decoder = ServiceDecoder(context: context(for: file))
        for index in members.indices where members[index].key == "file" {
            guard case .string(let path) = members[index].value else { continue }
            if !path.hasPrefix("/") { _ = try decoder.confined(path, at: node["file"]?.location ?? node.location) }
            members[index].value = .string(decoder.outputPath(path))
        }
        return .object(members)
    }

    /// Refuses `absolute` (shown as `shown`) when it resolves outside the repository root.
    func confine(_ absolute: String, shown: String, at location: SourceLocation?) throws(SourcesError) {
        do { _ = try root.resolve(absolute, from: "/", at: location) } catch {
            switch error {
            case .pathEscapesRoot(let position, _, let through): throw .core(.pathEscapesRoot(position, path: shown, through: through))
            case .symlinkLoop(let position, _): throw .core(.symlinkLoop(position, path: shown))
            default: throw .core(error)
            }
        }
    }

    func activeProfiles() -> Set<String> {
        var active = Set(request.profiles)
        if let fromEnvironment = variables["COMPOSE_PROFILES"] {
            active.formUnion(fromEnvironment.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
        return active
    }

    /// Rejects references to services, volumes, networks, secrets and configs that are not defined.
    func validateReferences(_ services: [ComposeService], all: [String: ComposeService], tables: [String: [String: ValueTree]])
        throws(SourcesError)
    {
        let enabledNames = Set(services.map(\.name))
        for service in services {
            let location = service.komply.source ?? SourceLocation(file: display(projectDirectory))
            if service.image == nil && service.build == nil {
                throw .malformed(
                    location,
                    message: "service \"\(service.name)\" has neither an image nor a build context specified; expected `image:` or `build:`"
                )
            }
            func at(_ path: String) -> SourceLocation { service.komply.positions[path] ?? location }
            for (dependency, spec) in service.dependsOn.sorted(by: { $0.key < $1.key }) where !enabledNames.contains(dependency) {
                if all[dependency] != nil || !spec.required { continue }
                throw .undefined(at("depends_on.\(dependency)"), kind: "service", name: dependency)
            }
            for (index, mount) in service.volumes.enumerated() where mount.type == "volume" {
                if let source = mount.source, tables["volumes"]![source] == nil {
                    throw .undefined(at("volumes[\(index)]"), kind: "volume", name: source)
                }
            }
            for network in service.networks.keys.sorted() where network != "default" && tables["networks"]![network] == nil {
                throw .undefined(at("networks.\(network)"), kind: "network", name: network)
            }
            for (index, secret) in service.secrets.enumerated() where tables["secrets"]![secret.source] == nil {
                throw .undefined(at("secrets[\(index)]"), kind: "secret", name: secret.source)
            }
            for (index, config) in service.configs.enumerated() where tables["configs"]![config.source] == nil {
                throw .undefined(at("configs[\(index)]"), kind: "config", name: config.source)
            }
        }
    }

    /// Diagnostics in first-seen order without repeats (a base service read twice warns once).
    func unique(_ diagnostics: [Diagnostic]) -> [Diagnostic] {
        var seen = Set<Diagnostic>()
        return diagnostics.filter { seen.insert($0).inserted }
    }

    /// Docker compose's project name rule: lower case, only `a-z0-9_-`.
    func normalizedProjectName(_ raw: String) -> String {
        let lowered = raw.lowercased()
        return String(
            lowered.unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" || $0 == "-" }
                .map(Character.init))
    }

    /// How a file is named in messages: relative to the current directory when inside it.
    func display(_ absolute: String) -> String {
        let cwd = PathUtilities.normalize(FileManager.default.currentDirectoryPath)
        guard let inside = Paths.relative(absolute, to: cwd), !inside.isEmpty else { return absolute }
        return inside
    }
}
