import Foundation
import KomplyCore

/// Turns apps into a kustomize tree (base + overlays) and Argo CD Applications.
public struct Generator: Sendable {
    /// The settings.
    public var settings: GeneratorSettings
    /// The templates (built-in, or the user's folder over them).
    public var templates: TemplateSet

    /// Creates a generator.
    public init(settings: GeneratorSettings, templates: TemplateSet = .builtIn) {
        self.settings = settings
        self.templates = templates
    }

    /// Generates every app; apps are independent and their folders are named after them.
    public func generate(_ projects: [ComposeProject]) throws(GenerateError) -> GenerationResult {
        var files: [GeneratedFile] = []
        var notices: [Diagnostic] = []
        var scope: [String] = []
        var traffic: [TrafficEdge] = []
        var seen: [String: String] = [:]
        for project in projects {
            let appName = Naming.dnsLabel(project.name)
            if let other = seen[appName] {
                throw .config(
                    nil,
                    message:
                        "two apps are named \"\(appName)\" (\(other) and \(project.sourceFiles.joined(separator: ", "))); expected distinct app names (set `name:` in the compose file)"
                )
            }
            seen[appName] = project.sourceFiles.joined(separator: ", ")
            let app = try generateApp(project, appName: appName)
            let owned = ownedPaths(appName: appName)
            let result = GenerationResult(files: app.files, notices: [], scope: owned)
            files += app.files.filter { result.owns($0.path) }
            notices += app.notices
            scope += owned
            traffic += app.traffic
        }
        notices += sharedNamespaceNotices(Array(seen.keys))
        notices += singlePodEnvironmentNotices(files)
        return GenerationResult(files: files.sorted { $0.path < $1.path }, notices: notices, scope: scope, traffic: traffic)
    }
}

private extension Generator {
    /// What a run owns of an app's folder: all of it, or with `--env` the base, SECRETS.md, an ApplicationSet
    /// and the selected environments' overlays and Applications — never another environment's files.
    func ownedPaths(appName: String) -> [String] {
        guard let selected = settings.selectedEnvironments else { return ["\(appName)/"] }
        let environments = selected.map { Naming.dnsLabel($0) }.sorted()
        return ["\(appName)/base/", "\(appName)/SECRETS.md", "\(appName)/argocd/applicationset.yaml"]
            + environments.flatMap { ["\(appName)/overlays/\($0)/", "\(appName)/argocd/\($0).yaml"] }
    }

    /// One app's files: base objects per service, the default deny, kustomizations, overlays, Argo CD and SECRETS.md.
    func generateApp(_ project: ComposeProject, appName: String) throws(GenerateError) -> GenerationResult {
        var notices: [Diagnostic] = []
        var options: [String: ServiceOptions] = [:]
        for service in project.services { options[service.name] = try ServiceOptions.read(service) }
        let context = try appContext(project, appName: appName, options: options, notices: &notices)
        let source = project.sourceFiles.map { Self.shownSource($0, root: project.repositoryRoot) }.joined(separator: ", ")
        var baseFiles: [(String, [ObjectDraft])] = []
        var secrets: [String: [(key: String, reason: String)]] = [:]
        var built: [String: ServiceOutput] = [:]
        var builders = project.services.map { service in
            ServiceBuilder(context: context, service: service, options: options[service.name] ?? ServiceOptions())
        }
        let shared = SharedSecrets.plan(
            secrets: Dictionary(uniqueKeysWithValues: builders.map { ($0.service.name, $0.secretEnvironmentValues) }),
            connections: context.connections, names: context.names)
        let sidecarOwners = Self.sidecarOwners(
            project, kinds: Dictionary(uniqueKeysWithValues: builders.map { ($0.service.name, $0.kind) }))
        for index in builders.indices {
            builders[index].shared = shared
            builders[index].joinsPodOf = sidecarOwners[builders[index].service.name]
            let service = builders[index].service
            let output = builders[index].build()
            built[service.name] = output
            notices += output.notices
            secrets.merge(output.secretsToProvide) { $0 + $1 }
            baseFiles.append(("\(context.names[service.name]!).yaml", output.drafts))
        }
        try checkCollisions(baseFiles, services: project.services)
        notices += placeSidecars(sidecarOwners, project: project, context: context, files: &baseFiles, built: &built)
        baseFiles.removeAll { $0.1.isEmpty }
        let labels = [("app.kubernetes.io/part-of", appName), ("app.kubernetes.io/managed-by", "komply")]
        let denyAll = ObjectDraft(
            kind: "NetworkPolicy", name: "default-deny",
            parts: [
                "metadata": .members([("name", .string("default-deny")), ("labels", .members(labels.map { ($0.0, .string($0.1)) }))]),
                "spec": .members([
                    ("podSelector", .object([])), ("policyTypes", .array([.string("Ingress"), .string("Egress")])),
                ]),
            ])
        baseFiles.append(("network-policy-default-deny.yaml", [denyAll]))

        var files: [GeneratedFile] = []
        let header =
            "# Generated by komply \(KomplyVersion.current) from \(source). Do not edit: change the sources and run `komply generate`.\n"
        for (index, (file, drafts)) in baseFiles.enumerated() {
            let documents = try drafts.map { draft throws(GenerateError) in try templates.render(draft) }
            // Read off the rendered workload, so a template override that changes the pod counts too.
            if index < project.services.count {
                built[project.services[index].name]?.podSecurity = podSecurityNeeds(documents, of: project.services[index])
            }
            files.append(GeneratedFile(path: "\(appName)/base/\(file)", contents: header + YAMLEmitter.emit(documents: documents)))
        }
        files.append(
            GeneratedFile(
                path: "\(appName)/base/kustomization.yaml",
                contents: header
                    + YAMLEmitter.emit(
                        try templates.render(
                            ObjectDraft(
                                kind: "Kustomization", name: "base",
                                parts: [
                                    "resources": .array(baseFiles.map { .string($0.0) }),
                                    "labels": .array([
                                        .members([
                                            ("pairs", .members([("app.kubernetes.io/part-of", .string(appName))])),
                                            ("includeSelectors", .bool(false)),
                                        ])
                                    ]),
                                ]))
                    )))
        let environments = settings.environments.isEmpty ? [EnvironmentConfig(name: "default")] : settings.environments
        notices += podSecurityNotices(
            built, services: project.services, namespaces: environments.map { namespace(of: $0, appName: appName) })
        for environment in environments {
            files += try overlay(
                environment, appName: appName, project: project, context: context, built: built, header: header)
        }
        if let argo = try argoApplications(appName: appName, environments: environments, header: header) {
            files += argo
        } else {
            notices.append(
                Diagnostic(
                    .info, "app \(appName): no Argo CD Application written: set argocd.repoURL in komply.yaml or add a git remote", at: nil)
            )
        }
        if !secrets.isEmpty {
            files.append(
                GeneratedFile(
                    path: "\(appName)/SECRETS.md", contents: secretsDocument(secrets, appName: appName, environments: environments)))
        }
        var traffic: [TrafficEdge] = []
        for service in project.services {
            for target in (context.connections[service.name] ?? []).sorted() {
                traffic.append(
                    TrafficEdge(
                        app: appName, from: service.name, to: target,
                        ports: (context.ports[target] ?? []).map { "\($0.port)/\($0.proto.lowercased())" },
                        evidence: context.evidence[service.name]?[target] ?? []))
            }
        }
        return GenerationResult(
            files: files, notices: project.diagnostics.filter { $0.severity == .warning } + notices, traffic: traffic)
    }

    /// What every service builder needs to know about the app: names, ports, images and who talks to whom.
    func appContext(
        _ project: ComposeProject, appName: String, options: [String: ServiceOptions],
        notices: inout [Diagnostic]
    ) throws(GenerateError) -> AppContext {
        var names: [String: String] = [:]
        var taken: [String: String] = [:]
        for service in project.services {
            let name = Naming.dnsLabel(service.name, maxLength: 50)
            if let other = taken[name] {
                throw .nameCollision(service.komply.source, name: name, services: [other, service.name])
            }
            taken[name] = service.name
            names[service.name] = name
            if name != service.name { notices.append(renamed(service, to: name, in: project)) }
        }
        var ports: [String: [ContainerPort]] = [:]
        var images: [String: String] = [:]
        for service in project.services {
            var list: [ContainerPort] = []
            var usedNames = Set<String>()
            func add(_ port: Int, _ proto: String, published: Bool) {
                if let index = list.firstIndex(where: { $0.port == port && $0.proto == proto }) {
                    list[index].published = list[index].published || published
                    return
                }
                var portName = Naming.portName(port, protocol: proto)
                if usedNames.contains(portName) { portName = "\(proto.lowercased())-\(port)" }
                usedNames.insert(portName)
                list.append(ContainerPort(port: port, proto: proto, name: portName, published: published))
            }
            for port in service.ports { add(port.target, port.protocol, published: port.published != nil) }
            for range in service.expose {
                for port in range.ports { add(port, range.protocol, published: false) }
            }
            if let port = options[service.name]?.port, !list.isEmpty, !list.contains(where: { $0.port == port }) {
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(service.name): x-komply.port \(port) is ignored: compose declares its ports (\(list.map { String($0.port) }.joined(separator: ", "))); x-komply.port is for a service that declares none (add \(port) to expose: instead)",
                        at: service.komply.positions["x-komply.port"] ?? service.komply.source))
            }
            let classification = Classifier.classify(service, options: options[service.name] ?? ServiceOptions(), project: project)
            if list.isEmpty,
                let port = options[service.name]?.port ?? options[service.name]?.probePort
                    ?? classification.profile.flatMap({ ImageKnowledge.defaultPort($0, image: classification.image?.value) })
            {
                add(port, "tcp", published: false)
            }
            if list.isEmpty {
                let exposed = PortEvidence.dockerfileExpose(service, project: project)
                for port in exposed { add(port.port, port.proto, published: false) }
                if !exposed.isEmpty {
                    notices.append(
                        Diagnostic(
                            .info,
                            "service \(service.name) declares no port; it listens on \(exposed.map { "\($0.port)/\($0.proto)" }.joined(separator: ", ")) (EXPOSE in its Dockerfile)",
                            at: service.komply.positions["build"] ?? service.komply.source))
                }
            }
            if list.isEmpty, let label = PortEvidence.labelPort(service) {
                add(label.port, "tcp", published: false)
                notices.append(
                    Diagnostic(
                        .info, "service \(service.name) declares no port; it listens on \(label.port) (label \(label.label))",
                        at: service.komply.positions["labels"] ?? service.komply.source))
            }
            ports[service.name] = list
            images[service.name] = image(for: service, appName: appName, notices: &notices)
        }
        var connections: [String: Set<String>] = [:]
        let known = Set(project.services.map(\.name))
        var aliases: [String: String] = [:]
        for service in project.services {
            aliases[service.name] = service.name
            if let hostname = service.hostname { aliases[hostname] = service.name }
            if let name = service.other["container_name"]?.stringValue { aliases[name] = service.name }
            // `networks: {back: {aliases: [database]}}`: the other services on that network call it so.
            for network in service.networks.keys.sorted() {
                guard case .array(let names)? = service.networks[network]??["aliases"] else { continue }
                for alias in names.compactMap(\.stringValue) where aliases[alias] == nil { aliases[alias] = service.name }
            }
        }
        // Ports a client writes beside a host name (`backend:9091`), for a target that declares none.
        var namedPorts: [String: [(port: Int, client: String)]] = [:]
        var evidence: [String: [String: [String]]] = [:]
        for service in project.services {
            var targets = Set(service.dependsOn.keys.filter(known.contains))
            var why: [String: [String]] = [:]
            let links: [ValueTree] = if case .array(let items)? = service.other["links"] { items } else { [] }
            let linked = Set(links.compactMap(\.stringValue).map { String($0.split(separator: ":", maxSplits: 1)[0]) })
            for target in targets.sorted() { why[target] = [linked.contains(target) ? "links" : "depends_on"] }
            // `links: [db:database]` lets this service call db "database" too.
            var hostNames = aliases
            for link in links.compactMap(\.stringValue) {
                let parts = link.split(separator: ":", maxSplits: 1).map(String.init)
                if parts.count == 2, known.contains(parts[0]) { hostNames[parts[1]] = parts[0] }
            }
            for (variable, value) in service.environment.sorted(by: { $0.key < $1.key }) {
                guard let value else { continue }
                for reference in HostReferences.references(in: value, variable: variable) {
                    guard let target = hostNames[reference.host], target != service.name else { continue }
                    targets.insert(target)
                    if !why[target, default: []].contains("environment \(variable)") {
                        why[target, default: []].append("environment \(variable)")
                    }
                    if let port = reference.port { namedPorts[target, default: []].append((port, "\(service.name) (\(variable))")) }
                }
            }
            // Hosts a command, entrypoint or healthcheck calls (`pg_isready -h db`, `wait-for db:5432`).
            let argvs: [(String, [String])] = [
                ("command", service.command ?? []), ("entrypoint", service.entrypoint ?? []),
                ("healthcheck", Array((service.healthcheck?.test ?? []).drop { ["CMD", "CMD-SHELL", "NONE"].contains($0) })),
            ]
            for (origin, argv) in argvs {
                for reference in HostReferences.commandReferences(in: argv) {
                    guard let target = hostNames[reference.host], target != service.name else { continue }
                    targets.insert(target)
                    if !why[target, default: []].contains(origin) { why[target, default: []].append(origin) }
                    if let port = reference.port { namedPorts[target, default: []].append((port, "\(service.name) (\(origin))")) }
                }
            }
            // A mounted or built-in config file names the services it calls (nginx `proxy_pass http://backend:8000`, a
            // Grafana datasource `http://prometheus:9090`), and their ports.
            for reference in PortEvidence.mountedFileReferences(service, project: project) {
                guard let target = hostNames[reference.host], target != service.name else { continue }
                targets.insert(target)
                let origin = "file \(reference.file)"
                if !why[target, default: []].contains(origin) { why[target, default: []].append(origin) }
                if let port = reference.port { namedPorts[target, default: []].append((port, "\(service.name) (\(reference.file))")) }
            }
            for target in targets.sorted() where !shareNetwork(service, project[service: target], in: project) {
                targets.remove(target)
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(service.name) refers to \(target) but they share no compose network; no traffic is allowed between them",
                        at: service.komply.source))
            }
            connections[service.name] = targets
            evidence[service.name] = why.filter { targets.contains($0.key) }
        }
        for service in project.services where ports[service.name, default: []].isEmpty {
            let clients = connections.filter { $0.value.contains(service.name) }.keys.sorted()
            let named = namedPorts[service.name, default: []].filter { entry in clients.contains { entry.client.hasPrefix("\($0) (") } }
            if !named.isEmpty {
                var seen = Set<Int>()
                var list: [ContainerPort] = []
                for entry in named.sorted(by: { ($0.port, $0.client) < ($1.port, $1.client) }) where seen.insert(entry.port).inserted {
                    list.append(
                        ContainerPort(port: entry.port, proto: "tcp", name: Naming.portName(entry.port, protocol: "tcp"), published: false))
                }
                ports[service.name] = list
                notices.append(
                    Diagnostic(
                        .info,
                        "service \(service.name) declares no port; it listens on \(list.map { String($0.port) }.joined(separator: ", ")), the port its clients name (\(Set(named.map(\.client)).sorted().joined(separator: ", ")))",
                        at: service.komply.source))
                continue
            }
            for client in clients {
                let why = evidence[client]?[service.name]?.joined(separator: ", ") ?? "depends_on"
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(client) connects to \(service.name) (\(why)), but \(service.name) declares no port komply can find (no ports:, expose:, Dockerfile EXPOSE, known image or proxy label): no Service and no allow are generated for this edge; add expose: [PORT] to \(service.name) or set x-komply.port: PORT on it",
                        at: project[service: client]?.komply.positions["depends_on.\(service.name)"]
                            ?? project[service: client]?.komply.source))
            }
        }
        return AppContext(
            project: project, appName: appName, settings: settings, names: names, connections: connections, evidence: evidence,
            ports: ports, images: images)
    }

    /// A source file as the generated header names it: relative to the repository root, so the output does not
    /// depend on the folder komply runs from (`compose.yaml` from `app/` and `app/compose.yaml` from the root).
    static func shownSource(_ file: String, root: String?) -> String {
        guard let root, let inside = Paths.relative(Paths.canonical(file), to: Paths.canonical(root)), !inside.isEmpty else {
            return file
        }
        return inside
    }

    /// A service whose name is not a DNS label gets another name in Kubernetes (`web_frontend` → `web-frontend`,
    /// cut to 50 characters): a note at its definition, or a warning naming each environment value, command and
    /// entrypoint that still reaches it by the compose name, which the cluster's DNS cannot resolve.
    func renamed(_ service: ComposeService, to name: String, in project: ComposeProject) -> Diagnostic {
        var uses: [String] = []
        for client in project.services {
            for (variable, value) in client.environment.sorted(by: { $0.key < $1.key }) {
                guard let value, HostReferences.hosts(in: value, variable: variable).contains(service.name) else { continue }
                uses.append("\(client.name) environment \(variable)")
            }
            for (key, argv) in [("command", client.command), ("entrypoint", client.entrypoint)] {
                guard let argv, HostReferences.commandReferences(in: argv).contains(where: { $0.host == service.name }) else { continue }
                uses.append("\(client.name) \(key)")
            }
        }
        let why = service.name.count > 50 ? "longer than 50 characters" : "not a DNS label"
        guard !uses.isEmpty else {
            return Diagnostic(
                .info, "service \(service.name) is named \(name) in Kubernetes (its compose name is \(why)); depends_on and links follow",
                at: service.komply.source)
        }
        return Diagnostic(
            .warning,
            "service \(service.name) is named \(name) in Kubernetes (its compose name is \(why)), but \(uses.joined(separator: ", ")) still reach(es) it as \"\(service.name)\", which the cluster's DNS does not resolve; use \(name) there (or rename the service)",
            at: service.komply.source)
    }

    /// Whether two services share a compose network (host networking reaches everything).
    func shareNetwork(_ a: ComposeService, _ b: ComposeService?, in project: ComposeProject) -> Bool {
        guard let b else { return false }
        if a.networkMode == "host" || b.networkMode == "host" { return true }
        return !networks(of: a, in: project).isDisjoint(with: networks(of: b, in: project))
    }

    /// The compose networks a service is on: with `network_mode: service:x` those of x, whose network namespace it
    /// joins (its own `networks:` are ignored by compose); else its own, or `default`.
    func networks(of service: ComposeService, in project: ComposeProject, depth: Int = 0) -> Set<String> {
        if let mode = service.networkMode, mode.hasPrefix("service:"), depth < 8,
            let owner = project[service: String(mode.dropFirst("service:".count))]
        {
            return networks(of: owner, in: project, depth: depth + 1)
        }
        return service.networks.isEmpty ? Set(["default"]) : Set(service.networks.keys)
    }

    /// The image of a service; `build:`-only services get `<registry>/<app>/<service>:<build tag>`.
    func image(for service: ComposeService, appName: String, notices: inout [Diagnostic]) -> String {
        // An unpinned image is warned where its risk is recorded (ServiceBuilder+Risks).
        if let image = service.image { return image }
        let repository = BuildImage.repository(registry: settings.registry, app: appName, service: service.name)
        let tag =
            settings.buildTags[BuildImage.tagKey(app: appName, service: service.name)] ?? settings.buildTags["\(service.name)"]
            ?? "src-unknown"
        let at = service.komply.positions["build"] ?? service.komply.source
        if let registry = settings.registry {
            notices.append(
                Diagnostic(
                    .info,
                    "service \(service.name) has only build:; its image is named \(repository):\(tag) (registry \(registry), tag from its build context; `komply images` lists what to build and push)",
                    at: at))
        } else {
            // An unqualified name is pulled from Docker Hub, where anyone may register the account first.
            notices.append(
                Diagnostic(
                    .warning,
                    "service \(service.name) has only build: and komply.yaml sets no registry, so its image \(repository):\(tag) resolves to Docker Hub (docker.io/\(repository)), where anyone can register \"\(appName)\"; set registry: in komply.yaml (or --registry) to the registry CI pushes to",
                    at: at))
        }
        return "\(repository):\(tag)"
    }

    /// Refuses two objects of the same kind and name from different services (`files[i]` is
    /// `services[i]`'s file), naming the services and pointing at the second one.
    func checkCollisions(_ files: [(String, [ObjectDraft])], services: [ComposeService]) throws(GenerateError) {
        var seen: [String: Int] = [:]
        for (index, (_, drafts)) in files.enumerated() {
            for draft in drafts {
                let key = "\(draft.kind)/\(draft.name)"
                if let other = seen[key], other != index {
                    let service = services[index]
                    if draft.kind == "PersistentVolumeClaim" {
                        throw .sharedVolume(
                            service.komply.positions["volumes"] ?? service.komply.source, volume: draft.name,
                            services: [services[other].name, service.name])
                    }
                    throw .nameCollision(service.komply.source, name: key, services: [services[other].name, service.name])
                }
                seen[key] = index
            }
        }
    }
}
