import Foundation
import KomplyCore
import KomplySources

/// One Kubernetes object before rendering: its kind (the template name) and its parts.
public struct ObjectDraft: Sendable, Equatable {
    /// The template name (a Kubernetes kind such as `Deployment`).
    public var kind: String
    /// The object's name (for file names and collisions).
    public var name: String
    /// Template holes: `metadata`, `spec`, `data`… each a JSON-able tree.
    public var parts: [String: ValueTree]
}

/// Everything generated for one service.
struct ServiceOutput {
    var drafts: [ObjectDraft] = []
    var notices: [Diagnostic] = []
    /// Secret keys the user must provide outside git: Secret name → keys with the reason.
    var secretsToProvide: [String: [(key: String, reason: String)]] = [:]
    /// The workload kind chosen, for overlays that patch it.
    var kind: WorkloadKind = .deployment
    /// The container's requests and limits, for overlays that scale them.
    var resources: ResourcePlan?
}

/// What the builder needs to know about the whole app.
struct AppContext {
    var project: ComposeProject
    var appName: String
    var settings: GeneratorSettings
    /// Compose service name → Kubernetes name.
    var names: [String: String]
    /// Services each service connects to (depends_on and host names in its environment).
    var connections: [String: Set<String>]
    /// Ports each service listens on.
    var ports: [String: [ContainerPort]]
    /// Image references per service after resolving `build:`-only services.
    var images: [String: String]
}

/// A container port.
struct ContainerPort: Hashable {
    var port: Int
    var proto: String
    var name: String
    var published: Bool
}

/// Builds the objects of one service: workload, ServiceAccount, Services, ConfigMaps, secret
/// references, volume claims, NetworkPolicy, HPA, PDB and Ingress.
struct ServiceBuilder {
    let context: AppContext
    let service: ComposeService
    let options: ServiceOptions
    let classification: Classification
    var output = ServiceOutput()
    /// `komply.dev/ignore` entries the generator records for explicit opt-outs.
    var ignores: [(rule: String, reason: String)] = []
    /// The user the pod runs as and why, for the classification annotation.
    var userDecision = ""
    /// StatefulSet volume claim templates collected while mounting volumes.
    var volumeClaimTemplates: [ValueTree] = []

    init(context: AppContext, service: ComposeService, options: ServiceOptions) {
        self.context = context
        self.service = service
        self.options = options
        classification = Classifier.classify(service, options: options, projectDirectory: context.project.projectDirectory)
    }

    var name: String { context.names[service.name] ?? Naming.dnsLabel(service.name) }
    var kind: WorkloadKind { classification.kind.value }
    var location: SourceLocation? { service.komply.source }

    /// Builds every object of the service.
    mutating func build() -> ServiceOutput {
        let labels = Naming.labels(app: context.appName, service: name, component: classification.role.value.rawValue)
        let selector = Naming.selector(app: context.appName, service: name)
        output.drafts.append(
            ObjectDraft(
                kind: "ServiceAccount", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels), "automountServiceAccountToken": .bool(false),
                ]))
        var pod = podSpec()
        let replicas = replicaCount()
        if replicas >= 2, kind.isScalable {
            pod = pod.adding(
                "topologySpreadConstraints",
                .array([
                    .members([
                        ("maxSkew", .int(1)), ("topologyKey", .string("kubernetes.io/hostname")),
                        ("whenUnsatisfiable", .string("ScheduleAnyway")),
                        ("labelSelector", .members([("matchLabels", tree(selector))])),
                    ])
                ]))
        }
        let resources = ResourcePlanner.plan(
            service, classification: classification, options: options,
            prediction: context.settings.predictions["\(context.appName)/\(service.name)"])
        for warning in resources.warnings { notice(.warning, warning) }
        output.kind = kind
        output.resources = resources
        pod = pod.updatingContainer { $0.adding("resources", resources.tree) }
        let podAnnotations: [(String, String)] = [("komply.dev/sizing", resources.reason)]
        workload(pod: pod, labels: labels, selector: selector, replicas: replicas, podAnnotations: podAnnotations)
        services(labels: labels, selector: selector)
        autoscaling(labels: labels, selector: selector, replicas: replicas)
        ingress(labels: labels)
        networkPolicy(labels: labels, selector: selector)
        return output
    }
}

// MARK: - Pod

private extension ServiceBuilder {
    mutating func podSpec() -> ValueTree {
        var volumes: [ValueTree] = []
        var mounts: [ValueTree] = []
        var env: [ValueTree] = []
        var envFrom: [ValueTree] = []
        splitEnvironment(env: &env, envFrom: &envFrom)
        mountVolumes(volumes: &volumes, mounts: &mounts)
        let security = securityContexts()
        var container: [(String, ValueTree?)] = [
            ("name", .string(name)),
            ("image", .string(context.images[service.name] ?? service.image ?? name)),
            ("imagePullPolicy", .string(imageIsMutable ? "Always" : "IfNotPresent")),
        ]
        if let entrypoint = service.entrypoint { container.append(("command", .array(entrypoint.map(ValueTree.string)))) }
        if let command = service.command { container.append(("args", .array(command.map(ValueTree.string)))) }
        container.append(("workingDir", service.workingDir.map(ValueTree.string)))
        let ports = context.ports[service.name] ?? []
        if !ports.isEmpty {
            container.append(
                (
                    "ports",
                    .array(
                        ports.map { port in
                            .members([
                                ("name", .string(port.name)), ("containerPort", .int(port.port)),
                                ("protocol", .string(port.proto.uppercased())),
                            ])
                        })
                ))
        }
        if !envFrom.isEmpty { container.append(("envFrom", .array(envFrom))) }
        if !env.isEmpty { container.append(("env", .array(env))) }
        container.append(("securityContext", security.container))
        for (key, probe) in probes() { container.append((key, probe)) }
        if !mounts.isEmpty { container.append(("volumeMounts", .array(mounts))) }
        if let gpus = gpuCount {
            container.append(("x-gpus", .int(gpus)))
        }
        var pod: [(String, ValueTree?)] = [
            ("serviceAccountName", .string(name)), ("automountServiceAccountToken", .bool(false)),
            ("securityContext", security.pod), ("containers", .array([.members(container)])),
        ]
        if let grace = service.stopGracePeriod { pod.append(("terminationGracePeriodSeconds", .int(max(1, grace.secondsRoundedUp)))) }
        if gpuCount != nil {
            pod.append(("nodeSelector", .members([("nvidia.com/gpu.present", .string("true"))])))
            pod.append(
                (
                    "tolerations",
                    .array([
                        .members([
                            ("key", .string("nvidia.com/gpu")), ("operator", .string("Exists")), ("effect", .string("NoSchedule")),
                        ])
                    ])
                ))
        }
        if let restartPolicy = kind.restartPolicy { pod.append(("restartPolicy", .string(restartPolicy))) }
        if let low = ports.first(where: { $0.port < 1024 }), !runsAsRoot {
            // Allowed by the restricted profile: lets the non-root image bind the port it was built for.
            appendSecuritySysctl(&pod)
            ignores.append(
                (
                    "privileged-port",
                    "port \(low.port) as the image is built; the pod sets net.ipv4.ip_unprivileged_port_start=0 so it binds without root"
                ))
        }
        if let image = context.images[service.name] ?? service.image, !image.contains("@sha256:") {
            let tag = ImageKnowledge.tag(image)
            if tag == nil {
                ignores.append(
                    ("missing-image-tag", "compose names \(image) without a tag; komply generate warned, pin a version in compose"))
            }
            if tag == "latest" {
                ignores.append(("latest-image-tag", "compose uses \(image); komply generate warned, pin a version in compose"))
            }
        }
        if !volumes.isEmpty { pod.append(("volumes", .array(volumes))) }
        return .members(pod)
    }

    /// Replicas: `x-komply.replicas`, compose `deploy.replicas`, else two for stateless Deployments (one container is an outage on every restart).
    mutating func replicaCount() -> Int {
        if let explicit = options.replicas ?? service.deploy?.replicas {
            if explicit == 1, kind.isScalable {
                ignores.append(("single-replica", "compose asks for one replica (deploy.replicas: 1)"))
            }
            return explicit
        }
        switch kind {
        case .deployment:
            if service.volumes.contains(where: { $0.type == "volume" && $0.source != nil }) {
                ignores.append(("single-replica", "its ReadWriteOnce volume claim can be mounted by one pod only"))
                return 1
            }
            return 2
        case .statefulSet:
            ignores.append(
                (
                    "single-replica",
                    "\(classification.profile?.family ?? "this stateful service") keeps its data in one volume; more replicas need the image's own replication"
                ))
            return 1
        default:
            return 1
        }
    }

    var runsAsRoot: Bool {
        guard options.uid == nil, let user = service.user?.split(separator: ":").first else { return false }
        return user == "0" || user == "root"
    }

    func appendSecuritySysctl(_ pod: inout [(String, ValueTree?)]) {
        guard let index = pod.firstIndex(where: { $0.0 == "securityContext" }), case .object(var members)? = pod[index].1 else { return }
        members.append(
            .init(
                key: "sysctls",
                value: .array([
                    .members([
                        ("name", .string("net.ipv4.ip_unprivileged_port_start")), ("value", .string("0")),
                    ])
                ])))
        pod[index].1 = .object(members)
    }

    var imageIsMutable: Bool {
        guard let image = context.images[service.name] ?? service.image else { return false }
        if image.contains("@sha256:") { return false }
        let tag = ImageKnowledge.tag(image)
        return tag == nil || tag == "latest"
    }

    /// GPUs reserved in compose (`count: all` becomes 1: Kubernetes needs a number).
    var gpuCount: Int? {
        let devices = (service.deploy?.reservations?.devices ?? []) + (service.deploy?.limits?.devices ?? [])
        guard let gpu = devices.first(where: { $0.capabilities.contains("gpu") }) else { return nil }
        if let count = gpu.count, count > 0 { return count }
        if !gpu.deviceIDs.isEmpty { return gpu.deviceIDs.count }
        return 1
    }

    mutating func splitEnvironment(env: inout [ValueTree], envFrom: inout [ValueTree]) {
        var plain: [(String, ValueTree)] = []
        var secretKeys: [(key: String, reason: String)] = []
        for key in service.environment.keys.sorted() {
            let value = service.environment[key] ?? nil
            guard let value else {
                notice(.warning, "environment variable \(key) has no value in compose (it would come from the host); it is left out")
                continue
            }
            let reason =
                options.secretEnv.contains(key)
                ? "x-komply.secretEnv lists it"
                : options.plainEnv.contains(key) ? nil : SecretDetector.reason(name: key, value: value)
            if let reason {
                secretKeys.append((key, reason))
            } else {
                plain.append((key, .string(value)))
            }
        }
        if !plain.isEmpty {
            let configName = "\(name)-env"
            output.drafts.append(
                ObjectDraft(
                    kind: "ConfigMap", name: configName,
                    parts: [
                        "metadata": metadata(configName, labels: commonLabels), "data": .members(plain.map { ($0.0, $0.1) }),
                    ]))
            envFrom.append(.members([("configMapRef", .members([("name", .string(configName))]))]))
        }
        if !secretKeys.isEmpty {
            let secretName = "\(name)-secrets"
            for entry in secretKeys {
                env.append(
                    .members([
                        ("name", .string(entry.key)),
                        (
                            "valueFrom",
                            .members([("secretKeyRef", .members([("name", .string(secretName)), ("key", .string(entry.key))]))])
                        ),
                    ]))
            }
            provideSecret(secretName, keys: secretKeys)
            notice(
                .note,
                "\(secretKeys.count) secret environment value(s) (\(secretKeys.map(\.key).joined(separator: ", "))) become references to Secret \(secretName); their values are not written"
            )
        }
    }

    /// Records a Secret the cluster must provide; with External Secrets, also the ExternalSecret object.
    mutating func provideSecret(_ secretName: String, keys: [(key: String, reason: String)]) {
        output.secretsToProvide[secretName, default: []] += keys
        guard case .externalSecrets(let storeKind, let storeName, let prefix) = context.settings.secrets else { return }
        let data: [ValueTree] = keys.map { entry in
            .members([
                ("secretKey", .string(entry.key)),
                (
                    "remoteRef",
                    .members([
                        ("key", .string("\(prefix.map { "\($0)/" } ?? "")\(context.appName)/\(secretName)")),
                        ("property", .string(entry.key)),
                    ])
                ),
            ])
        }
        output.drafts.append(
            ObjectDraft(
                kind: "ExternalSecret", name: secretName,
                parts: [
                    "metadata": metadata(secretName, labels: commonLabels),
                    "spec": .members([
                        ("refreshInterval", .string("1h")),
                        ("secretStoreRef", .members([("kind", .string(storeKind)), ("name", .string(storeName))])),
                        ("target", .members([("name", .string(secretName)), ("creationPolicy", .string("Owner"))])),
                        ("data", .array(data)),
                    ]),
                ]))
    }

    var commonLabels: [(String, String)] {
        Naming.labels(app: context.appName, service: name, component: classification.role.value.rawValue)
    }

    mutating func mountVolumes(volumes: inout [ValueTree], mounts: inout [ValueTree]) {
        var covered = Set<String>()
        var fileData: [(String, String)] = []
        var fileItems: [(target: String, key: String)] = []
        var claims: [ValueTree] = []
        for mount in service.volumes {
            let target = mount.target
            switch mount.type {
            case "volume" where mount.source != nil:
                let volume = Naming.dnsLabel(mount.source!)
                if kind.hasVolumeClaimTemplates {
                    claims.append(claimTemplate(volume))
                } else {
                    persistentVolumeClaim(volume)
                    volumes.append(
                        .members([("name", .string(volume)), ("persistentVolumeClaim", .members([("claimName", .string(volume))]))]))
                }
                mounts.append(mountTree(volume, target, readOnly: mount.readOnly))
            case "volume", "tmpfs":
                let volume = "tmp-" + Naming.dnsLabel(target, maxLength: 50)
                volumes.append(emptyDir(volume, memory: mount.type == "tmpfs"))
                mounts.append(mountTree(volume, target, readOnly: false))
            case "bind":
                guard let source = mount.source else { continue }
                bindMount(source: source, target: target, fileData: &fileData, fileItems: &fileItems, mounts: &mounts)
            default:
                notice(.warning, "volume type \(mount.type) at \(target) has no Kubernetes equivalent; left out")
                continue
            }
            covered.insert(target)
        }
        for path in service.tmpfs where !covered.contains(path) {
            let volume = "tmp-" + Naming.dnsLabel(path, maxLength: 50)
            volumes.append(emptyDir(volume, memory: true))
            mounts.append(mountTree(volume, path, readOnly: false))
            covered.insert(path)
        }
        if kind.hasVolumeClaimTemplates, claims.isEmpty, let dataPath = classification.profile?.dataPath, !covered.contains(dataPath) {
            claims.append(claimTemplate("data"))
            mounts.append(mountTree("data", dataPath, readOnly: false))
            covered.insert(dataPath)
        }
        if !claims.isEmpty { volumeClaimTemplates = claims }
        for reference in service.configs {
            mountComposeConfig(reference, fileData: &fileData, mounts: &mounts, covered: &covered)
        }
        if !fileData.isEmpty {
            let configName = "\(name)-files"
            output.drafts.append(
                ObjectDraft(
                    kind: "ConfigMap", name: configName,
                    parts: [
                        "metadata": metadata(configName, labels: commonLabels), "data": .members(fileData.map { ($0.0, .string($0.1)) }),
                    ]))
            volumes.append(.members([("name", .string("files")), ("configMap", .members([("name", .string(configName))]))]))
            for item in fileItems {
                mounts.append(
                    .members([
                        ("name", .string("files")), ("mountPath", .string(item.target)), ("subPath", .string(item.key)),
                        ("readOnly", .bool(true)),
                    ]))
                covered.insert(item.target)
            }
        }
        for (index, secret) in service.secrets.enumerated() {
            let secretName = Naming.dnsLabel("\(context.appName)-\(secret.source)")
            let target = secret.target.map { $0.hasPrefix("/") ? $0 : "/run/secrets/\($0)" } ?? "/run/secrets/\(secret.source)"
            let volume = "secret-\(index)"
            volumes.append(
                .members([
                    ("name", .string(volume)),
                    (
                        "secret",
                        .members([
                            ("secretName", .string(secretName)),
                            (
                                "items",
                                .array([
                                    .members([
                                        ("key", .string(Naming.dataKey(secret.source))), ("path", .string(Naming.dataKey(secret.source))),
                                    ])
                                ])
                            ),
                        ])
                    ),
                ]))
            mounts.append(
                .members([
                    ("name", .string(volume)), ("mountPath", .string(target)), ("subPath", .string(Naming.dataKey(secret.source))),
                    ("readOnly", .bool(true)),
                ]))
            covered.insert(target)
            provideSecret(secretName, keys: [(Naming.dataKey(secret.source), "compose secret \(secret.source)")])
        }
        // A read-only root filesystem needs writable scratch space where the image writes.
        let writable = (classification.profile?.writablePaths ?? ["/tmp"]) + options.writablePaths
        for path in writable where !covered.contains(path) && !covered.contains(where: { path.hasPrefix($0 + "/") }) {
            let volume = "tmp-" + Naming.dnsLabel(path, maxLength: 50)
            volumes.append(emptyDir(volume, memory: false))
            mounts.append(mountTree(volume, path, readOnly: false))
            covered.insert(path)
        }
    }

    /// A compose `configs:` entry: its file (or inline content) becomes a key of `<service>-files`.
    mutating func mountComposeConfig(
        _ reference: FileReference, fileData: inout [(String, String)], mounts: inout [ValueTree],
        covered: inout Set<String>
    ) {
        let target = reference.target.map { $0.hasPrefix("/") ? $0 : "/\($0)" } ?? "/\(reference.source)"
        guard let definition = context.project.configs[reference.source] else { return }
        var text: String?
        if case .string(let content)? = definition["content"] {
            text = content
        } else if case .string(let file)? = definition["file"], let projectDirectory = context.project.projectDirectory,
            !file.hasPrefix("/")
        {
            let path = (projectDirectory as NSString).appendingPathComponent(file)
            text = FileManager.default.contents(atPath: path).flatMap { String(data: $0, encoding: .utf8) }
            if text == nil {
                notice(
                    .warning, "config \(reference.source) names \(file), which is not readable UTF-8 text in the repository; not mounted")
                return
            }
        }
        guard let text else {
            notice(
                .warning,
                "config \(reference.source) is external or comes from the host environment; create ConfigMap \(name)-files key \(Naming.dataKey(reference.source)) yourself"
            )
            return
        }
        if let reason = SecretDetector.shapeReason(text) {
            notice(.warning, "config \(reference.source) is not copied into a ConfigMap because \(reason); provide it as a Secret")
            return
        }
        let key = Naming.dataKey(reference.source)
        if !fileData.contains(where: { $0.0 == key }) { fileData.append((key, text)) }
        mounts.append(
            .members([
                ("name", .string("files")), ("mountPath", .string(target)), ("subPath", .string(key)), ("readOnly", .bool(true)),
            ]))
        covered.insert(target)
    }

    mutating func bindMount(
        source: String, target: String, fileData: inout [(String, String)],
        fileItems: inout [(target: String, key: String)], mounts: inout [ValueTree]
    ) {
        let shown = "\(source):\(target)"
        guard let projectDirectory = context.project.projectDirectory, !source.hasPrefix("/"), !source.hasPrefix("~") else {
            notice(
                .warning,
                "bind mount \(shown) uses a host path; Kubernetes pods should not mount host paths (restricted profile), so it is left out")
            return
        }
        let absolute = (projectDirectory as NSString).appendingPathComponent(source)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            notice(
                .note,
                "bind mount \(shown) names \(source), which is not in the repository (usually application code mounted for development); the image must contain it"
            )
            return
        }
        let files: [(path: String, relative: String)]
        if isDirectory.boolValue {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: absolute)) ?? []).sorted().filter { !$0.hasPrefix(".") }
            files = names.compactMap { entry in
                var childIsDirectory: ObjCBool = false
                let path = (absolute as NSString).appendingPathComponent(entry)
                guard FileManager.default.fileExists(atPath: path, isDirectory: &childIsDirectory), !childIsDirectory.boolValue else {
                    return nil
                }
                return (path, entry)
            }
        } else {
            files = [(absolute, (source as NSString).lastPathComponent)]
        }
        var total = 0
        var loaded: [(String, String, String)] = []
        for file in files {
            guard let data = FileManager.default.contents(atPath: file.path), let text = String(data: data, encoding: .utf8) else {
                notice(
                    .warning,
                    "bind mount \(shown): \(file.relative) is not UTF-8 text; a ConfigMap cannot hold it, so the mount is left out")
                return
            }
            total += data.count
            if let reason = SecretDetector.shapeReason(text) ?? (text.contains("PRIVATE KEY") ? "it holds a private key" : nil) {
                notice(
                    .warning,
                    "bind mount \(shown): \(file.relative) is not copied into a ConfigMap because \(reason); provide it as a Secret")
                return
            }
            loaded.append((file.relative, text, target))
        }
        guard total <= 512 * 1024 else {
            notice(.warning, "bind mount \(shown) holds \(total) bytes, more than a ConfigMap should carry (512 KiB); left out")
            return
        }
        for (relative, text, _) in loaded {
            let key = Naming.dataKey((isDirectory.boolValue ? (source as NSString).lastPathComponent + "-" : "") + relative)
            guard !fileData.contains(where: { $0.0 == key }) else { continue }
            fileData.append((key, text))
            let mountTarget = isDirectory.boolValue ? (target as NSString).appendingPathComponent(relative) : target
            fileItems.append((mountTarget, key))
        }
        notice(.note, "bind mount \(shown) becomes ConfigMap \(name)-files (\(loaded.count) file(s)), mounted read-only")
    }

    func mountTree(_ volume: String, _ path: String, readOnly: Bool) -> ValueTree {
        .members([("name", .string(volume)), ("mountPath", .string(path)), ("readOnly", readOnly ? .bool(true) : nil)])
    }

    func emptyDir(_ volume: String, memory: Bool) -> ValueTree {
        .members([("name", .string(volume)), ("emptyDir", memory ? .members([("medium", .string("Memory"))]) : .object([]))])
    }

    var storageSize: String {
        options.storageSize?.description ?? classification.profile?.storageSize ?? context.settings.storageSize
    }

    func claimSpec() -> ValueTree {
        .members([
            ("accessModes", .array([.string("ReadWriteOnce")])),
            ("storageClassName", (options.storageClass ?? context.settings.storageClass).map(ValueTree.string)),
            ("resources", .members([("requests", .members([("storage", .string(storageSize))]))])),
        ])
    }

    func claimTemplate(_ volume: String) -> ValueTree {
        .members([("metadata", .members([("name", .string(volume))])), ("spec", claimSpec())])
    }

    mutating func persistentVolumeClaim(_ volume: String) {
        guard !output.drafts.contains(where: { $0.kind == "PersistentVolumeClaim" && $0.name == volume }) else { return }
        output.drafts.append(
            ObjectDraft(
                kind: "PersistentVolumeClaim", name: volume,
                parts: [
                    "metadata": metadata(volume, labels: commonLabels), "spec": claimSpec(),
                ]))
    }

    /// Pod and container security contexts: Pod Security "restricted", with compose's opt-outs recorded.
    mutating func securityContexts() -> (pod: ValueTree, container: ValueTree) {
        var uid = options.uid
        var reason = uid != nil ? "x-komply.uid" : ""
        var runAsRoot = false
        if uid == nil, let user = service.user {
            let userPart = String(user.split(separator: ":").first ?? "")
            if let numeric = Int(userPart) {
                if numeric == 0 { runAsRoot = true } else { uid = numeric; reason = "compose user \(user)" }
            } else if userPart == "root" {
                runAsRoot = true
            } else if let known = Self.knownUsers[userPart] ?? classification.profile?.uid {
                uid = known
                reason = "compose user \(userPart) is uid \(known) in this image"
            }
        }
        if uid == nil, !runAsRoot, let profileUID = classification.profile?.uid {
            uid = profileUID
            reason = "image \(classification.profile!.family) runs as uid \(profileUID)"
        }
        if uid == nil, !runAsRoot {
            uid = context.settings.defaultUID
            reason = "unknown image; default uid"
            notice(
                .note,
                "no known non-root user for image \(service.image ?? name); runs as uid \(context.settings.defaultUID) (set x-komply.uid if the image needs another)"
            )
        }
        if runAsRoot {
            ignores.append(("run-as-root", "compose runs this service as root (user: \(service.user ?? "root"))"))
            notice(.warning, "compose runs this service as root; kept as user 0 and recorded as an explicit exception")
        }
        let privileged = service.privileged == true
        if privileged {
            ignores.append(("privileged-container", "compose sets privileged: true"))
            ignores.append(("privilege-escalation-allowed", "compose sets privileged: true"))
            notice(.warning, "compose sets privileged: true; kept and recorded as an explicit exception")
        }
        if !service.capAdd.isEmpty {
            let added = "compose adds \(service.capAdd.joined(separator: " "))"
            for rule in ["capability-added-beyond-restricted", "capability-added-beyond-baseline", "dangerous-capability-added"] {
                ignores.append((rule, added))
            }
            notice(.warning, "compose adds capabilities \(service.capAdd.joined(separator: ", ")); kept on top of drop ALL and recorded")
        }
        var pod: [(String, ValueTree?)] = [("runAsNonRoot", .bool(!runAsRoot))]
        if runAsRoot {
            pod.append(("runAsUser", .int(0)))
        } else if let uid {
            pod.append(("runAsUser", .int(uid)))
            pod.append(("runAsGroup", .int(uid)))
            pod.append(("fsGroup", .int(uid)))
        }
        pod.append(("seccompProfile", .members([("type", .string("RuntimeDefault"))])))
        var capabilities: [(String, ValueTree?)] = [("drop", .array([.string("ALL")]))]
        if !service.capAdd.isEmpty { capabilities.insert(("add", .array(service.capAdd.map(ValueTree.string))), at: 0) }
        let container: ValueTree = .members([
            ("allowPrivilegeEscalation", .bool(privileged)),
            ("privileged", privileged ? .bool(true) : nil),
            ("readOnlyRootFilesystem", .bool(true)),
            ("runAsNonRoot", .bool(!runAsRoot)),
            ("capabilities", .members(capabilities)),
        ])
        userDecision = runAsRoot ? "user=0 (compose runs it as root)" : "uid=\(uid ?? 0) (\(reason))"
        return (.members(pod), container)
    }

    static let knownUsers: [String: Int] = [
        "node": 1000, "nginx": 101, "postgres": 999, "redis": 999, "mysql": 999, "www-data": 33, "nobody": 65534,
        "daemon": 1, "app": 1000, "nonroot": 65532,
    ]
}

// MARK: - Probes

private extension ServiceBuilder {
    /// Startup, liveness and readiness probes, from the healthcheck first, then what the image is known to serve.
    mutating func probes() -> [(String, ValueTree)] {
        guard kind.hasProbes else { return [] }
        if let reason = options.probesDisabledReason {
            ignoreProbes("x-komply.probes.disable: \(reason)")
            return []
        }
        let ports = context.ports[service.name] ?? []
        if let check = service.healthcheck {
            if check.disable || check.test?.first == "NONE" {
                ignoreProbes("compose disables the healthcheck")
                notice(.warning, "compose disables the healthcheck, so the pod has no probes")
                return []
            }
            if let test = check.test, let handler = execHandler(test) {
                let period = max(1, (check.interval ?? ComposeDuration(nanoseconds: 30_000_000_000)).secondsRoundedUp)
                let timeout = max(1, (check.timeout ?? ComposeDuration(nanoseconds: 30_000_000_000)).secondsRoundedUp)
                let retries = max(1, check.retries ?? 3)
                return timedProbes(
                    handler, period: period, timeout: timeout, retries: retries, startPeriod: check.startPeriod,
                    startInterval: check.startInterval)
            }
        }
        if let path = options.probePath {
            let port = options.probePort ?? ports.first?.port
            guard let port else {
                ignoreProbes("x-komply.probes.path is set but the service declares no port")
                notice(.warning, "x-komply.probes.path is set but no port is known; set x-komply.probes.port")
                return []
            }
            return timedProbes(httpHandler(path, port), period: 10, timeout: 3, retries: 3, startPeriod: nil, startInterval: nil)
        }
        if let command = classification.profile?.probeCommand {
            return timedProbes(
                .members([("exec", .members([("command", .array(command.map(ValueTree.string)))]))]),
                period: 10, timeout: 5, retries: 3, startPeriod: ComposeDuration(nanoseconds: 60_000_000_000), startInterval: nil)
        }
        if let path = classification.profile?.healthPath, let port = ports.first?.port {
            return timedProbes(
                httpHandler(path, port), period: 10, timeout: 3, retries: 3, startPeriod: ComposeDuration(nanoseconds: 60_000_000_000),
                startInterval: nil)
        }
        if let port = ports.first(where: { $0.proto.lowercased() == "tcp" }) {
            return timedProbes(
                .members([("tcpSocket", .members([("port", .string(port.name))]))]), period: 10, timeout: 3, retries: 3,
                startPeriod: ComposeDuration(nanoseconds: 60_000_000_000), startInterval: nil)
        }
        ignoreProbes("no healthcheck and no TCP port to check; add a healthcheck to the compose service")
        notice(.warning, "no healthcheck and no TCP port: komply cannot infer a probe that works, so none is written")
        return []
    }

    mutating func ignoreProbes(_ reason: String) {
        ignores.append(("missing-liveness-probe", reason))
        ignores.append(("missing-readiness-probe", reason))
    }

    func execHandler(_ test: [String]) -> ValueTree? {
        guard let first = test.first else { return nil }
        let argv: [String]
        switch first {
        case "CMD": argv = Array(test.dropFirst())
        case "CMD-SHELL": argv = ["sh", "-c", test.dropFirst().joined(separator: " ")]
        default: return nil
        }
        guard !argv.isEmpty else { return nil }
        return .members([("exec", .members([("command", .array(argv.map(ValueTree.string)))]))])
    }

    func httpHandler(_ path: String, _ port: Int) -> ValueTree {
        .members([("httpGet", .members([("path", .string(path)), ("port", .int(port))]))])
    }

    /// Readiness every period with compose's retries; liveness more tolerant; a startup probe covers the start period.
    func timedProbes(
        _ handler: ValueTree, period: Int, timeout: Int, retries: Int, startPeriod: ComposeDuration?,
        startInterval: ComposeDuration?
    ) -> [(String, ValueTree)] {
        func probe(_ extra: [(String, ValueTree?)]) -> ValueTree {
            guard case .object(let members) = handler else { return handler }
            return .object(members + ValueTree.members(extra).objectMembers!)
        }
        var result: [(String, ValueTree)] = []
        if let startPeriod, startPeriod.nanoseconds > 0 {
            let interval = max(1, startInterval?.secondsRoundedUp ?? min(period, 10))
            let threshold = max(1, (startPeriod.secondsRoundedUp + interval - 1) / interval) + retries
            result.append(
                (
                    "startupProbe",
                    probe([
                        ("periodSeconds", .int(interval)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(threshold)),
                    ])
                ))
        }
        result.append(
            (
                "livenessProbe",
                probe([
                    ("periodSeconds", .int(period)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(retries + 2)),
                ])
            ))
        result.append(
            (
                "readinessProbe",
                probe([
                    ("periodSeconds", .int(period)), ("timeoutSeconds", .int(timeout)), ("failureThreshold", .int(retries)),
                ])
            ))
        return result
    }
}

// MARK: - Workload, services, scaling, ingress, network policy

private extension ServiceBuilder {
    mutating func workload(
        pod: ValueTree, labels: [(String, String)], selector: [(String, String)], replicas: Int,
        podAnnotations: [(String, String)]
    ) {
        var annotations = [
            (
                "komply.dev/classification",
                "kind=\(kind.rawValue) (\(classification.kind.reason)); role=\(classification.role.value.rawValue) (\(classification.role.reason)); runtime=\(classification.runtime.value.rawValue) (\(classification.runtime.reason)); \(userDecision)"
            )
        ]
        if !ignores.isEmpty {
            // `;` separates entries in the annotation, so reasons use commas.
            annotations.append(
                (
                    "komply.dev/ignore",
                    ignores.map { "\($0.rule)=\($0.reason.replacingOccurrences(of: ";", with: ","))" }
                        .joined(separator: "; ")
                ))
        }
        var (finalPod, gpus) = pod.extractingGPUs()
        if let gpus {
            finalPod = finalPod.updatingContainer { container in
                container.updating("resources") { resources in
                    resources.updating("limits") { $0.adding("nvidia.com/gpu", .int(gpus)) }
                }
            }
        }
        let template: ValueTree = .members([
            ("metadata", .members([("labels", tree(labels)), ("annotations", tree(podAnnotations))])),
            ("spec", finalPod),
        ])
        let meta = metadata(name, labels: labels, annotations: annotations)
        let spec: ValueTree
        switch kind {
        case .deployment:
            let hasClaims = output.drafts.contains { $0.kind == "PersistentVolumeClaim" }
            spec = .members([
                ("replicas", .int(replicas)), ("revisionHistoryLimit", .int(5)),
                ("selector", .members([("matchLabels", tree(selector))])),
                (
                    "strategy",
                    hasClaims
                        ? .members([("type", .string("Recreate"))])
                        : .members([
                            ("type", .string("RollingUpdate")),
                            ("rollingUpdate", .members([("maxUnavailable", .int(0)), ("maxSurge", .int(1))])),
                        ])
                ),
                ("template", template),
            ])
            if hasClaims && replicas > 1 {
                notice(
                    .warning, "\(replicas) replicas share ReadWriteOnce volume claims; they must run on one node (consider a StatefulSet)")
            }
        case .statefulSet:
            spec = .members([
                ("replicas", .int(replicas)), ("serviceName", .string("\(name)-headless")),
                ("selector", .members([("matchLabels", tree(selector))])),
                ("template", template),
                ("volumeClaimTemplates", volumeClaimTemplates.isEmpty ? nil : .array(volumeClaimTemplates)),
            ])
        case .daemonSet:
            spec = .members([("selector", .members([("matchLabels", tree(selector))])), ("template", template)])
        case .job:
            spec = .members([("backoffLimit", .int(3)), ("ttlSecondsAfterFinished", .int(86400)), ("template", template)])
        case .cronJob:
            spec = .members([
                ("schedule", .string(options.schedule ?? "0 0 * * *")), ("concurrencyPolicy", .string("Forbid")),
                ("startingDeadlineSeconds", .int(300)),
                (
                    "jobTemplate",
                    .members([
                        (
                            "spec",
                            .members([
                                ("backoffLimit", .int(3)), ("ttlSecondsAfterFinished", .int(86400)), ("template", template),
                            ])
                        )
                    ])
                ),
            ])
        }
        output.drafts.append(ObjectDraft(kind: kind.rawValue, name: name, parts: ["metadata": meta, "spec": spec]))
    }

    mutating func services(labels: [(String, String)], selector: [(String, String)]) {
        let ports = context.ports[service.name] ?? []
        guard !ports.isEmpty, kind.exposesService else { return }
        let servicePorts: ValueTree = .array(
            ports.map { port in
                .members([
                    ("name", .string(port.name)), ("port", .int(port.port)), ("targetPort", .string(port.name)),
                    ("protocol", .string(port.proto.uppercased())),
                ])
            })
        let published = ports.filter(\.published).map { "\($0.port)/\($0.proto)" }
        var annotations: [(String, String)] = []
        if !published.isEmpty {
            annotations.append(
                (
                    "komply.dev/published-ports",
                    published.joined(separator: ",") + " (published in compose; expose through an Ingress or Gateway)"
                ))
        }
        output.drafts.append(
            ObjectDraft(
                kind: "Service", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels, annotations: annotations),
                    "spec": .members([("type", .string("ClusterIP")), ("selector", tree(selector)), ("ports", servicePorts)]),
                ]))
        if kind.needsHeadlessService {
            output.drafts.append(
                ObjectDraft(
                    kind: "Service", name: "\(name)-headless",
                    parts: [
                        "metadata": metadata("\(name)-headless", labels: labels),
                        "spec": .members([
                            ("clusterIP", .string("None")), ("publishNotReadyAddresses", .bool(true)), ("selector", tree(selector)),
                            ("ports", servicePorts),
                        ]),
                    ]))
        }
    }

    mutating func autoscaling(labels: [(String, String)], selector: [(String, String)], replicas: Int) {
        guard kind.isAutoscaled, replicas >= 2 else { return }
        output.drafts.append(
            ObjectDraft(
                kind: "HorizontalPodAutoscaler", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels),
                    "spec": .members([
                        (
                            "scaleTargetRef",
                            .members([("apiVersion", .string(kind.apiVersion)), ("kind", .string(kind.rawValue)), ("name", .string(name))])
                        ),
                        ("minReplicas", .int(replicas)), ("maxReplicas", .int(replicas * 3)),
                        (
                            "metrics",
                            .array([
                                .members([
                                    ("type", .string("Resource")),
                                    (
                                        "resource",
                                        .members([
                                            ("name", .string("cpu")),
                                            ("target", .members([("type", .string("Utilization")), ("averageUtilization", .int(70))])),
                                        ])
                                    ),
                                ])
                            ])
                        ),
                    ]),
                ]))
        output.drafts.append(
            ObjectDraft(
                kind: "PodDisruptionBudget", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels),
                    "spec": .members([("maxUnavailable", .int(1)), ("selector", .members([("matchLabels", tree(selector))]))]),
                ]))
    }

    mutating func ingress(labels: [(String, String)]) {
        guard let ingress = options.ingress else { return }
        let ports = context.ports[service.name] ?? []
        guard let port = ingress.port.flatMap({ p in ports.first { $0.port == p } }) ?? ports.first(where: \.published) ?? ports.first
        else {
            notice(.warning, "x-komply.ingress is set but the service has no port; no Ingress is written")
            return
        }
        var spec: [(String, ValueTree?)] = [("ingressClassName", ingress.className.map(ValueTree.string))]
        if let secret = ingress.tlsSecret {
            spec.append(("tls", .array([.members([("hosts", .array([.string(ingress.host)])), ("secretName", .string(secret))])])))
        }
        spec.append(
            (
                "rules",
                .array([
                    .members([
                        ("host", .string(ingress.host)),
                        (
                            "http",
                            .members([
                                (
                                    "paths",
                                    .array([
                                        .members([
                                            ("path", .string(ingress.path)), ("pathType", .string("Prefix")),
                                            (
                                                "backend",
                                                .members([
                                                    (
                                                        "service",
                                                        .members([
                                                            ("name", .string(name)), ("port", .members([("name", .string(port.name))])),
                                                        ])
                                                    )
                                                ])
                                            ),
                                        ])
                                    ])
                                )
                            ])
                        ),
                    ])
                ])
            ))
        output.drafts.append(
            ObjectDraft(kind: "Ingress", name: name, parts: ["metadata": metadata(name, labels: labels), "spec": .members(spec)]))
    }

    mutating func networkPolicy(labels: [(String, String)], selector: [(String, String)]) {
        let ports = context.ports[service.name] ?? []
        var ingressRules: [ValueTree] = []
        let clients = context.connections.filter { $0.value.contains(service.name) }.keys.sorted()
        if !clients.isEmpty, !ports.isEmpty {
            ingressRules.append(
                .members([
                    (
                        "from",
                        .array(
                            clients.map { client in
                                .members([
                                    (
                                        "podSelector",
                                        .members([
                                            (
                                                "matchLabels",
                                                tree(Naming.selector(app: context.appName, service: context.names[client] ?? client))
                                            )
                                        ])
                                    )
                                ])
                            })
                    ),
                    ("ports", .array(ports.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) })),
                ]))
        }
        let published = ports.filter(\.published)
        if !published.isEmpty || options.ingress != nil {
            // Published ports were reachable from outside the compose network: allow any source on them.
            let open = published.isEmpty ? Array(ports.prefix(1)) : published
            ingressRules.append(
                .members([
                    ("ports", .array(open.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) }))
                ]))
        }
        var egressRules: [ValueTree] = [
            .members([
                (
                    "to",
                    .array([
                        .members([
                            (
                                "namespaceSelector",
                                .members([("matchLabels", .members([("kubernetes.io/metadata.name", .string("kube-system"))]))])
                            ),
                            ("podSelector", .members([("matchLabels", .members([("k8s-app", .string("kube-dns"))]))])),
                        ])
                    ])
                ),
                (
                    "ports",
                    .array([
                        .members([("port", .int(53)), ("protocol", .string("UDP"))]),
                        .members([("port", .int(53)), ("protocol", .string("TCP"))]),
                    ])
                ),
            ])
        ]
        for dependency in (context.connections[service.name] ?? []).sorted() {
            let dependencyPorts = context.ports[dependency] ?? []
            guard !dependencyPorts.isEmpty else { continue }
            egressRules.append(
                .members([
                    (
                        "to",
                        .array([
                            .members([
                                (
                                    "podSelector",
                                    .members([
                                        (
                                            "matchLabels",
                                            tree(Naming.selector(app: context.appName, service: context.names[dependency] ?? dependency))
                                        )
                                    ])
                                )
                            ])
                        ])
                    ),
                    (
                        "ports",
                        .array(dependencyPorts.map { .members([("port", .int($0.port)), ("protocol", .string($0.proto.uppercased()))]) })
                    ),
                ]))
        }
        let external = externalHosts()
        if !external.hosts.isEmpty {
            egressRules.append(
                .members([
                    (
                        "to",
                        .array([
                            .members([
                                (
                                    "ipBlock",
                                    .members([
                                        ("cidr", .string("0.0.0.0/0")),
                                        ("except", .array(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(ValueTree.string))),
                                    ])
                                )
                            ])
                        ])
                    ),
                    ("ports", .array(external.ports.sorted().map { .members([("port", .int($0)), ("protocol", .string("TCP"))]) })),
                ]))
            notice(
                .note,
                "egress to external hosts \(external.hosts.sorted().joined(separator: ", ")) is allowed on ports \(external.ports.sorted().map(String.init).joined(separator: ", "))"
            )
        }
        output.drafts.append(
            ObjectDraft(
                kind: "NetworkPolicy", name: name,
                parts: [
                    "metadata": metadata(name, labels: labels),
                    "spec": .members([
                        ("podSelector", .members([("matchLabels", tree(selector))])),
                        ("policyTypes", .array([.string("Ingress"), .string("Egress")])),
                        ("ingress", .array(ingressRules)),
                        ("egress", .array(egressRules)),
                    ]),
                ]))
    }

    /// Hosts outside the app named in environment URLs, and the ports they use.
    func externalHosts() -> (hosts: Set<String>, ports: Set<Int>) {
        var hosts = Set<String>()
        var ports = Set<Int>()
        for value in service.environment.values.compactMap({ $0 }) {
            guard let url = URLComponents(string: value), let scheme = url.scheme, let host = url.host, host.contains(".") else { continue }
            guard !context.names.keys.contains(host), host != "localhost", !host.hasPrefix("127.") else { continue }
            hosts.insert(host)
            ports.insert(url.port ?? (scheme == "http" ? 80 : 443))
        }
        return (hosts, ports)
    }
}

// MARK: - Small helpers

extension ServiceBuilder {
    mutating func notice(_ severity: Diagnostic.Severity, _ message: String) {
        output.notices.append(Diagnostic(severity, "service \(service.name): \(message)", at: location))
    }

    func metadata(_ objectName: String, labels: [(String, String)], annotations: [(String, String)] = []) -> ValueTree {
        .members([
            ("name", .string(objectName)), ("labels", tree(labels)),
            ("annotations", annotations.isEmpty ? nil : tree(annotations)),
        ])
    }

    func tree(_ pairs: [(String, String)]) -> ValueTree {
        .members(pairs.map { ($0.0, .string($0.1)) })
    }
}

extension ValueTree {
    /// A copy with a member added (or replaced) at the end.
    func adding(_ key: String, _ value: ValueTree) -> ValueTree {
        guard case .object(var members) = self else { return self }
        members.removeAll { $0.key == key }
        members.append(Member(key: key, value: value))
        return .object(members)
    }

    /// A copy with one member transformed (created empty first when missing).
    func updating(_ key: String, _ transform: (ValueTree) -> ValueTree) -> ValueTree {
        guard case .object(var members) = self else { return self }
        if let index = members.firstIndex(where: { $0.key == key }) {
            members[index].value = transform(members[index].value)
        } else {
            members.append(Member(key: key, value: transform(.object([]))))
        }
        return .object(members)
    }

    /// A pod spec with its first container transformed.
    func updatingContainer(_ transform: (ValueTree) -> ValueTree) -> ValueTree {
        updating("containers") { containers in
            guard case .array(var items) = containers, !items.isEmpty else { return containers }
            items[0] = transform(items[0])
            return .array(items)
        }
    }

    /// Removes the internal `x-gpus` marker from the first container, returning its count.
    func extractingGPUs() -> (ValueTree, Int?) {
        var gpus: Int?
        let pod = updatingContainer { container in
            guard case .object(var members) = container, let index = members.firstIndex(where: { $0.key == "x-gpus" }) else {
                return container
            }
            if case .int(let count) = members[index].value { gpus = count }
            members.remove(at: index)
            return .object(members)
        }
        return (pod, gpus)
    }
}
