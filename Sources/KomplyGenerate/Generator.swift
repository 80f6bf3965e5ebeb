import Foundation
import KomplyCore
import KomplySources

/// How secrets reach the cluster; values never pass through komply.
public enum SecretsProvider: Sendable, Equatable {
    /// A Secret the user creates outside git; `SECRETS.md` in the output says which keys.
    case placeholder
    /// External Secrets Operator: an `ExternalSecret` per Secret, read from a store.
    case externalSecrets(storeKind: String, storeName: String, keyPrefix: String?)
    /// Sealed Secrets: the user seals the listed keys with `kubeseal`; `SECRETS.md` shows how.
    case sealedSecrets
}

/// Requests and limits the sizing engine recommends for one container, with its reasons.
public struct PredictedResources: Sendable, Equatable {
    public var cpuRequest: Quantity
    /// nil when the sizing policy sets no CPU limit.
    public var cpuLimit: Quantity?
    public var memoryRequest: Quantity
    public var memoryLimit: Quantity
    /// Confidence 0–1.
    public var confidence: Double
    /// Why, as one sentence (for `komply.dev/sizing`).
    public var reason: String
    /// Warnings to print (heap above limit, requests below observed peaks…).
    public var warnings: [String]

    /// Creates a prediction.
    public init(
        cpuRequest: Quantity, cpuLimit: Quantity?, memoryRequest: Quantity, memoryLimit: Quantity, confidence: Double,
        reason: String, warnings: [String]
    ) {
        self.cpuRequest = cpuRequest
        self.cpuLimit = cpuLimit
        self.memoryRequest = memoryRequest
        self.memoryLimit = memoryLimit
        self.confidence = confidence
        self.reason = reason
        self.warnings = warnings
    }
}

/// Argo CD settings; without a repository URL no Application is written.
public struct ArgoCDSettings: Sendable, Equatable {
    public var repoURL: String?
    public var targetRevision: String = "HEAD"
    public var project: String = "default"
    public var destinationServer: String = "https://kubernetes.default.svc"
    public var applicationSet: Bool = false
    public var automated: Bool = true

    /// Creates settings.
    public init(repoURL: String?) { self.repoURL = repoURL }
}

/// Everything the generator needs besides the apps.
public struct GeneratorSettings: Sendable, Equatable {
    /// Registry for `build:`-only services (`<registry>/<app>/<service>`).
    public var registry: String?
    /// How secrets are provided.
    public var secrets: SecretsProvider = .placeholder
    /// The uid for images komply does not know.
    public var defaultUID: Int = 10001
    /// Default volume size.
    public var storageSize: String = "1Gi"
    /// Default storage class (nil: the cluster default).
    public var storageClass: String?
    /// Environments; empty means one `default` environment.
    public var environments: [EnvironmentConfig] = []
    /// Argo CD settings.
    public var argocd: ArgoCDSettings = ArgoCDSettings(repoURL: nil)
    /// The output folder as the repository sees it (Argo CD paths start here).
    public var outputPath: String = "deploy"
    /// Sized requests and limits from `komply predict`, keyed `app/service`; they replace the role defaults.
    public var predictions: [String: PredictedResources] = [:]
    /// Tags for `build:`-only images, keyed `app/service` (a content digest of the build context).
    public var buildTags: [String: String] = [:]

    /// Default settings.
    public init() {}
}

/// One file of generated output, relative to the output folder.
public struct GeneratedFile: Sendable, Equatable {
    /// Path relative to the output folder, e.g. `shop/base/api.yaml`.
    public var path: String
    /// The file's bytes as text.
    public var contents: String
}

/// What `generate` produced for a set of apps.
public struct GenerationResult: Sendable, Equatable {
    /// Files, sorted by path.
    public var files: [GeneratedFile]
    /// Notes and warnings with positions in the sources.
    public var notices: [Diagnostic]
}

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
            files += app.files
            notices += app.notices
        }
        return GenerationResult(files: files.sorted { $0.path < $1.path }, notices: notices)
    }
}

private extension Generator {
    func generateApp(_ project: ComposeProject, appName: String) throws(GenerateError) -> GenerationResult {
        var notices: [Diagnostic] = []
        var options: [String: ServiceOptions] = [:]
        for service in project.services { options[service.name] = try ServiceOptions.read(service) }
        let context = try appContext(project, appName: appName, options: options, notices: &notices)
        let source = project.sourceFiles.joined(separator: ", ")
        var baseFiles: [(String, [ObjectDraft])] = []
        var secrets: [String: [(key: String, reason: String)]] = [:]
        var built: [String: ServiceOutput] = [:]
        for service in project.services {
            var builder = ServiceBuilder(context: context, service: service, options: options[service.name] ?? ServiceOptions())
            let output = builder.build()
            built[service.name] = output
            notices += output.notices
            secrets.merge(output.secretsToProvide) { $0 + $1 }
            baseFiles.append(("\(context.names[service.name]!).yaml", output.drafts))
        }
        try checkCollisions(baseFiles, project: project)
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
        for (file, drafts) in baseFiles {
            let documents = try drafts.map { draft throws(GenerateError) in try templates.render(draft) }
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
        let autoscaled = Set(baseFiles.flatMap(\.1).filter { $0.kind == "HorizontalPodAutoscaler" }.map(\.name))
        let environments = settings.environments.isEmpty ? [EnvironmentConfig(name: "default")] : settings.environments
        for environment in environments {
            files += try overlay(
                environment, appName: appName, project: project, context: context, built: built, autoscaled: autoscaled,
                header: header)
        }
        if let argo = try argoApplications(appName: appName, environments: environments, header: header) {
            files += argo
        } else {
            notices.append(
                Diagnostic(
                    .note, "app \(appName): no Argo CD Application written: set argocd.repoURL in komply.yaml or add a git remote", at: nil)
            )
        }
        if !secrets.isEmpty {
            files.append(
                GeneratedFile(
                    path: "\(appName)/SECRETS.md", contents: secretsDocument(secrets, appName: appName, environments: environments)))
        }
        return GenerationResult(files: files, notices: project.diagnostics.filter { $0.severity == .warning } + notices)
    }

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
            for expose in service.expose {
                let parts = expose.split(separator: "/")
                if let range = ShortSyntax.range(String(parts.first ?? "")) {
                    for port in range { add(port, parts.count > 1 ? String(parts[1]) : "tcp", published: false) }
                }
            }
            if list.isEmpty, let port = options[service.name]?.probePort ?? ImageKnowledge.profile(for: service.image)?.defaultPort {
                add(port, "tcp", published: false)
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
        }
        for service in project.services {
            var targets = Set(service.dependsOn.keys.filter(known.contains))
            for value in service.environment.values.compactMap({ $0 }) {
                for host in SecretDetector.hosts(in: value) {
                    if let target = aliases[host], target != service.name { targets.insert(target) }
                }
            }
            for target in targets where !shareNetwork(service, project[service: target]) {
                targets.remove(target)
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(service.name) refers to \(target) but they share no compose network; no traffic is allowed between them",
                        at: service.komply.source))
            }
            connections[service.name] = targets
        }
        return AppContext(
            project: project, appName: appName, settings: settings, names: names, connections: connections,
            ports: ports, images: images)
    }

    func shareNetwork(_ a: ComposeService, _ b: ComposeService?) -> Bool {
        guard let b else { return false }
        let left = a.networks.isEmpty ? Set(["default"]) : Set(a.networks.keys)
        let right = b.networks.isEmpty ? Set(["default"]) : Set(b.networks.keys)
        if a.networkMode == "host" || b.networkMode == "host" { return true }
        return !left.isDisjoint(with: right)
    }

    func image(for service: ComposeService, appName: String, notices: inout [Diagnostic]) -> String {
        if let image = service.image {
            let tag = ImageKnowledge.tag(image)
            if !image.contains("@sha256:"), tag == nil || tag == "latest" {
                notices.append(
                    Diagnostic(
                        .warning,
                        "service \(service.name): image \(image) has no pinned tag (latest); pin a version so rollouts are reproducible",
                        at: service.komply.positions["image"] ?? service.komply.source))
            }
            return image
        }
        let repository = [settings.registry, appName, Naming.dnsLabel(service.name)].compactMap { $0 }.joined(separator: "/")
        let tag = settings.buildTags["\(appName)/\(service.name)"] ?? settings.buildTags["\(service.name)"] ?? "src-unknown"
        notices.append(
            Diagnostic(
                .note,
                "service \(service.name) has only build:; its image is named \(repository):\(tag) (\(settings.registry == nil ? "no registry in komply.yaml" : "registry from komply.yaml"), tag from its build context)",
                at: service.komply.positions["build"] ?? service.komply.source))
        return "\(repository):\(tag)"
    }

    func checkCollisions(_ files: [(String, [ObjectDraft])], project: ComposeProject) throws(GenerateError) {
        var seen: [String: String] = [:]
        for (file, drafts) in files {
            for draft in drafts {
                let key = "\(draft.kind)/\(draft.name)"
                if let other = seen[key], other != file {
                    throw .nameCollision(nil, name: key, services: [other, file])
                }
                seen[key] = file
            }
        }
    }

    /// One environment's overlay; `built` is what the base pass decided per service (kind, resources),
    /// so patches target exactly the objects the base holds.
    func overlay(
        _ environment: EnvironmentConfig, appName: String, project: ComposeProject, context: AppContext,
        built: [String: ServiceOutput], autoscaled: Set<String>, header: String
    ) throws(GenerateError) -> [GeneratedFile] {
        let namespace = environment.namespace ?? (environment.name == "default" ? appName : "\(appName)-\(environment.name)")
        let folder = "\(appName)/overlays/\(Naming.dnsLabel(environment.name))"
        var parts: [String: ValueTree] = [
            "namespace": .string(namespace),
            "resources": .array([.string("../../base"), .string("namespace.yaml")]),
        ]
        if environment.imageRegistry != nil || environment.imageTag != nil {
            let images = Set(context.images.values).sorted()
            parts["images"] = .array(
                images.map { image in
                    let name = ImageKnowledge.repository(image)
                    let last = name.split(separator: "/").last.map(String.init) ?? name
                    return .members([
                        ("name", .string(name)),
                        ("newName", environment.imageRegistry.map { .string("\($0)/\(last)") }),
                        ("newTag", environment.imageTag.map(ValueTree.string)),
                    ])
                })
        }
        var patches: [ValueTree] = []
        if let replicas = environment.replicas {
            let scalable = project.services.filter { built[$0.name]?.kind.isScalable == true }
            parts["replicas"] = .array(scalable.map { .members([("name", .string(context.names[$0.name]!)), ("count", .int(replicas))]) })
            // An autoscaler's minimum would undo the overlay's replica count: move it too.
            for service in project.services where autoscaled.contains(context.names[service.name]!) {
                let bounds: ValueTree = .array([
                    .members([("op", .string("replace")), ("path", .string("/spec/minReplicas")), ("value", .int(max(1, replicas)))]),
                    .members([("op", .string("replace")), ("path", .string("/spec/maxReplicas")), ("value", .int(max(1, replicas) * 3))]),
                ])
                patches.append(
                    .members([
                        (
                            "target",
                            .members([("kind", .string("HorizontalPodAutoscaler")), ("name", .string(context.names[service.name]!))])
                        ),
                        ("patch", .string(JSONEmitter.emit(bounds, pretty: false))),
                    ]))
            }
        }
        if let scale = environment.resourceScale, scale != 1 {
            for service in project.services {
                guard let output = built[service.name], let plan = output.resources else { continue }
                let scaled: ValueTree = .members(
                    ["requests": (plan.cpuRequest, plan.memoryRequest), "limits": (plan.cpuLimit, plan.memoryLimit)]
                        .sorted { $0.key > $1.key }.map { key, pair in
                            (
                                key,
                                ValueTree.members([
                                    ("cpu", .string(scaledQuantity(pair.0, scale, cpu: true))),
                                    ("memory", .string(scaledQuantity(pair.1, scale, cpu: false))),
                                ])
                            )
                        })
                let kind = output.kind
                let path = "/" + (kind.podTemplatePath + ["containers", "0", "resources"]).joined(separator: "/")
                let patch = JSONEmitter.emit(
                    .array([.members([("op", .string("replace")), ("path", .string(path)), ("value", scaled)])]), pretty: false)
                patches.append(
                    .members([
                        ("target", .members([("kind", .string(kind.rawValue)), ("name", .string(context.names[service.name]!))])),
                        ("patch", .string(patch)),
                    ]))
            }
        }
        if !patches.isEmpty { parts["patches"] = .array(patches) }
        let kustomization = try templates.render(ObjectDraft(kind: "Kustomization", name: environment.name, parts: parts))
        let namespaceObject = try templates.render(
            ObjectDraft(
                kind: "Namespace", name: namespace,
                parts: [
                    "metadata": .members([
                        ("name", .string(namespace)),
                        (
                            "labels",
                            .members([
                                ("app.kubernetes.io/part-of", .string(appName)), ("app.kubernetes.io/managed-by", .string("komply")),
                                ("pod-security.kubernetes.io/enforce", .string("restricted")),
                                ("pod-security.kubernetes.io/enforce-version", .string("latest")),
                            ])
                        ),
                    ])
                ]))
        return [
            GeneratedFile(path: "\(folder)/kustomization.yaml", contents: header + YAMLEmitter.emit(kustomization)),
            GeneratedFile(path: "\(folder)/namespace.yaml", contents: header + YAMLEmitter.emit(namespaceObject)),
        ]
    }

    /// `quantity × scale`, rounded up to whole millicores or mebibytes.
    func scaledQuantity(_ quantity: Quantity, _ scale: Double, cpu: Bool) -> String {
        guard let scaled = try? quantity.scaled(by: scale) else { return quantity.description }
        if cpu {
            return Quantity(milliCPU: max(1, scaled.milliValue)).description
        }
        let mebibytes = (scaled.value + (1 << 20) - 1) >> 20
        return Quantity(bytes: max(1, mebibytes) << 20).description
    }

    func argoApplications(appName: String, environments: [EnvironmentConfig], header: String) throws(GenerateError) -> [GeneratedFile]? {
        guard let repoURL = settings.argocd.repoURL else { return nil }
        let argo = settings.argocd
        var files: [GeneratedFile] = []
        if argo.applicationSet {
            return [try applicationSet(appName: appName, environments: environments, repoURL: repoURL, header: header)]
        }
        for environment in environments {
            let namespace = environment.namespace ?? (environment.name == "default" ? appName : "\(appName)-\(environment.name)")
            let envName = Naming.dnsLabel(environment.name)
            let spec: ValueTree = .members([
                ("project", .string(argo.project)),
                (
                    "source",
                    .members([
                        ("repoURL", .string(repoURL)), ("targetRevision", .string(argo.targetRevision)),
                        ("path", .string("\(settings.outputPath)/\(appName)/overlays/\(envName)")),
                    ])
                ),
                (
                    "destination",
                    .members([("server", .string(environment.cluster ?? argo.destinationServer)), ("namespace", .string(namespace))])
                ),
                (
                    "syncPolicy",
                    .members([
                        ("automated", argo.automated ? .members([("prune", .bool(true)), ("selfHeal", .bool(true))]) : nil),
                        ("syncOptions", .array([.string("CreateNamespace=false"), .string("ServerSideApply=true")])),
                    ])
                ),
            ])
            let application = try templates.render(
                ObjectDraft(
                    kind: "Application", name: "\(appName)-\(envName)",
                    parts: [
                        "metadata": .members([
                            ("name", .string("\(appName)-\(envName)")), ("namespace", .string("argocd")),
                            (
                                "labels",
                                .members([
                                    ("app.kubernetes.io/part-of", .string(appName)), ("app.kubernetes.io/managed-by", .string("komply")),
                                ])
                            ),
                        ]),
                        "spec": spec,
                    ]))
            files.append(GeneratedFile(path: "\(appName)/argocd/\(envName).yaml", contents: header + YAMLEmitter.emit(application)))
        }
        return files
    }

    /// One ApplicationSet whose list generator has an element per environment.
    func applicationSet(appName: String, environments: [EnvironmentConfig], repoURL: String, header: String) throws(GenerateError)
        -> GeneratedFile
    {
        let argo = settings.argocd
        let elements: [ValueTree] = environments.map { environment in
            let envName = Naming.dnsLabel(environment.name)
            return .members([
                ("env", .string(envName)),
                (
                    "namespace",
                    .string(environment.namespace ?? (environment.name == "default" ? appName : "\(appName)-\(environment.name)"))
                ),
                ("server", .string(environment.cluster ?? argo.destinationServer)),
                ("path", .string("\(settings.outputPath)/\(appName)/overlays/\(envName)")),
            ])
        }
        let template: ValueTree = .members([
            ("metadata", .members([("name", .string("\(appName)-{{env}}")), ("namespace", .string("argocd"))])),
            (
                "spec",
                .members([
                    ("project", .string(argo.project)),
                    (
                        "source",
                        .members([
                            ("repoURL", .string(repoURL)), ("targetRevision", .string(argo.targetRevision)), ("path", .string("{{path}}")),
                        ])
                    ),
                    ("destination", .members([("server", .string("{{server}}")), ("namespace", .string("{{namespace}}"))])),
                    (
                        "syncPolicy",
                        .members([
                            ("automated", argo.automated ? .members([("prune", .bool(true)), ("selfHeal", .bool(true))]) : nil),
                            ("syncOptions", .array([.string("CreateNamespace=false"), .string("ServerSideApply=true")])),
                        ])
                    ),
                ])
            ),
        ])
        let document = try templates.render(
            ObjectDraft(
                kind: "ApplicationSet", name: appName,
                parts: [
                    "metadata": .members([
                        ("name", .string(appName)), ("namespace", .string("argocd")),
                        (
                            "labels",
                            .members([("app.kubernetes.io/part-of", .string(appName)), ("app.kubernetes.io/managed-by", .string("komply"))])
                        ),
                    ]),
                    "spec": .members([
                        ("generators", .array([.members([("list", .members([("elements", .array(elements))]))])])), ("template", template),
                    ]),
                ]))
        return GeneratedFile(path: "\(appName)/argocd/applicationset.yaml", contents: header + YAMLEmitter.emit(document))
    }

    func secretsDocument(_ secrets: [String: [(key: String, reason: String)]], appName: String, environments: [EnvironmentConfig]) -> String
    {
        var text = """
            <!-- Generated by komply \(KomplyVersion.current). Do not edit: run `komply generate`. -->
            # Secrets for \(appName)

            Generated by komply \(KomplyVersion.current). komply never writes secret values. The workloads
            reference the Secrets below; create them in each environment's namespace outside git.

            """
        switch settings.secrets {
        case .externalSecrets(let kind, let name, _):
            text += "\nEach Secret is created by an ExternalSecret reading \(kind) `\(name)`; store these keys there.\n"
        case .sealedSecrets:
            text += "\nSeal each Secret with `kubeseal` and commit the SealedSecret next to the overlay.\n"
        case .placeholder:
            text += "\nCreate each Secret with `kubectl create secret generic NAME --from-literal=KEY=… -n NAMESPACE`.\n"
        }
        let namespaces = (environments.isEmpty ? [EnvironmentConfig(name: "default")] : environments).map { environment in
            environment.namespace ?? (environment.name == "default" ? appName : "\(appName)-\(environment.name)")
        }
        text += "\nNamespaces: " + namespaces.map { "`\($0)`" }.joined(separator: ", ") + "\n"
        for name in secrets.keys.sorted() {
            text += "\n## Secret `\(name)`\n\n| key | why it is secret |\n|---|---|\n"
            var seen = Set<String>()
            for entry in secrets[name]! where seen.insert(entry.key).inserted {
                text += "| `\(entry.key)` | \(entry.reason) |\n"
            }
        }
        return text
    }
}
