import Foundation
import KomplyCore

// `network_mode: service:x`: the service runs as a second container of x's pod, the one way Kubernetes shares a
// network namespace.
extension Generator {
    /// The services that join another's pod: service → the owner whose network namespace compose runs it in. Only a
    /// Deployment without a volume claim joins (a ReadWriteOnce claim would follow the owner's replicas onto other
    /// nodes), only into a long-running workload (Deployment, StatefulSet, DaemonSet) that itself joins nobody and
    /// that nobody else joins through it; the rest keep a pod of their own, with a warning.
    static func sidecarOwners(_ project: ComposeProject, kinds: [String: WorkloadKind]) -> [String: String] {
        var owners: [String: String] = [:]
        for service in project.services {
            guard let mode = service.networkMode, mode.hasPrefix("service:") else { continue }
            let owner = String(mode.dropFirst("service:".count))
            guard owner != service.name, let ownerService = project[service: owner], kinds[service.name] == .deployment,
                [.deployment, .statefulSet, .daemonSet].contains(kinds[owner]),
                !(ownerService.networkMode ?? "").hasPrefix("service:"),
                !service.volumes.contains(where: { $0.type == "volume" && $0.source != nil }),
                !project.services.contains(where: { $0.networkMode == "service:\(service.name)" })
            else { continue }
            owners[service.name] = owner
        }
        return owners
    }

    /// Moves each joining service's container (its volumes, env, probes and resources) into its owner's pod; its
    /// Service and NetworkPolicy then select the owner's pods, and every other policy that named its pods names the
    /// owner's. Its workload, ServiceAccount, autoscaler and budget go (the owner's pods carry it). `files[i]` holds
    /// `project.services[i]`'s objects.
    func placeSidecars(
        _ owners: [String: String], project: ComposeProject, context: AppContext, files: inout [(String, [ObjectDraft])],
        built: inout [String: ServiceOutput]
    ) -> [Diagnostic] {
        var notices: [Diagnostic] = []
        let index = Dictionary(uniqueKeysWithValues: project.services.enumerated().map { ($0.element.name, $0.offset) })
        for sidecar in owners.keys.sorted() {
            let owner = owners[sidecar]!
            guard let s = index[sidecar], let o = index[owner], let sidecarKind = built[sidecar]?.kind,
                let ownerKind = built[owner]?.kind
            else { continue }
            let sidecarName = context.names[sidecar]!
            let ownerName = context.names[owner]!
            guard let sidecarWorkload = files[s].1.firstIndex(where: { $0.kind == sidecarKind.rawValue && $0.name == sidecarName }),
                let ownerWorkload = files[o].1.firstIndex(where: { $0.kind == ownerKind.rawValue && $0.name == ownerName }),
                let template = files[s].1[sidecarWorkload].parts["spec"]?["template"],
                let pod = template["spec"], case .array(let containers)? = pod["containers"], var container = containers.first
            else { continue }
            // The container keeps the user it ran as: the pod-level user is the owner's.
            let user = pod["securityContext"]
            container = container.updating("securityContext") { context in
                var context = context
                for key in ["runAsUser", "runAsGroup"] {
                    if let value = user?[key], context[key] == nil { context = context.adding(key, value) }
                }
                return context
            }
            // Volume names are per pod: prefixed with the sidecar's name.
            let rename = { (volume: String) in Naming.dnsLabel("\(sidecarName)-\(volume)", maxLength: 63) }
            container = container.updating("volumeMounts") { mounts in
                guard case .array(let items) = mounts else { return mounts }
                return .array(items.map { mount in mount.updating("name") { .string(rename($0.stringValue ?? "")) } })
            }
            if container["volumeMounts"] == .object([]) { container = container.removing("volumeMounts") }
            // Port names are per pod too: a name the owner's containers use is dropped, the sidecar's probes and
            // Service reach its ports by number.
            let taken = Self.portNames(files[o].1[ownerWorkload].parts["spec"]?["template"]?["spec"])
            var numbers: [String: Int] = [:]
            container = container.updating("ports") { ports in
                guard case .array(let items) = ports else { return ports }
                return .array(
                    items.map { port in
                        guard let name = port["name"]?.stringValue, case .int(let number)? = port["containerPort"] else { return port }
                        numbers[name] = number
                        return taken.contains(name) ? port.removing("name") : port
                    })
            }
            if container["ports"] == .object([]) { container = container.removing("ports") }
            for probe in ["startupProbe", "livenessProbe", "readinessProbe"] where container[probe] != nil {
                container = container.updating(probe) { tree in
                    numbers.reduce(tree) { tree, entry in tree.replacing(.string(entry.key), with: .int(entry.value)) }
                }
            }
            let volumes: [ValueTree] =
                if case .array(let items)? = pod["volumes"] {
                    items.map { volume in volume.updating("name") { .string(rename($0.stringValue ?? "")) } }
                } else { [] }
            let hash = template["metadata"]?["annotations"]?[ServiceBuilder.configHashAnnotation]
            files[o].1[ownerWorkload].parts["spec"] = files[o].1[ownerWorkload].parts["spec"]?.updating("template") { template in
                template.updating("spec") { ownerPod in
                    ownerPod.updating("containers") { list in
                        guard case .array(let items) = list else { return list }
                        return .array(items + [container])
                    }.updatingUnlessEmpty("volumes", volumes)
                }.updating("metadata") { metadata in
                    guard let hash else { return metadata }
                    return metadata.updating("annotations") { $0.adding("\(ServiceBuilder.configHashAnnotation)-\(sidecarName)", hash) }
                }
            }
            let sidecarSelector = selectorTree(app: context.appName, service: sidecarName)
            let ownerSelector = selectorTree(app: context.appName, service: ownerName)
            var kept: [ObjectDraft] = []
            for var draft in files[s].1 {
                switch draft.kind {
                case sidecarKind.rawValue where draft.name == sidecarName: continue
                case "ServiceAccount", "HorizontalPodAutoscaler", "PodDisruptionBudget": continue
                case "Service":
                    draft.parts["spec"] = draft.parts["spec"]?.adding("selector", ownerSelector).updating("ports") { ports in
                        guard case .array(let items) = ports else { return ports }
                        return .array(items.map { port in port["port"].map { port.adding("targetPort", $0) } ?? port })
                    }
                default: break
                }
                kept.append(draft)
            }
            files[s].1 = kept
            // Every policy that selected or named the sidecar's pods now means the owner's.
            let match = ValueTree.members([("matchLabels", sidecarSelector)])
            let replacement = ValueTree.members([("matchLabels", ownerSelector)])
            for i in files.indices {
                files[i].1 = files[i].1.map { draft in
                    guard draft.kind == "NetworkPolicy" else { return draft }
                    var draft = draft
                    draft.parts = draft.parts.mapValues { $0.replacing(match, with: replacement) }
                    return draft
                }
            }
            built[sidecar]?.scalesWithEnvironment = false
            built[sidecar]?.resources = nil
            built[sidecar]?.joinsPodOf = owner
            let service = project.services[s]
            notices.append(
                Diagnostic(
                    .info,
                    "service \(sidecar): network_mode: service:\(owner) runs it as a second container of \(owner)'s pod, the one way "
                        + "Kubernetes shares a network namespace (localhost between them works as in compose); it scales, rolls and "
                        + "is scheduled with \(owner), its Service \(sidecarName) and its allows select \(owner)'s pods, and an "
                        + "environment's resourceScale does not scale it",
                    at: service.komply.positions["network_mode"] ?? service.komply.source))
        }
        return notices
    }
}

private extension Generator {
    /// The port names of every container of a pod spec.
    static func portNames(_ pod: ValueTree?) -> Set<String> {
        guard case .array(let containers)? = pod?["containers"] else { return [] }
        var names = Set<String>()
        for container in containers {
            guard case .array(let ports)? = container["ports"] else { continue }
            names.formUnion(ports.compactMap { $0["name"]?.stringValue })
        }
        return names
    }

    /// The label selector of a service's pods as a tree.
    func selectorTree(app: String, service: String) -> ValueTree {
        .members(Naming.selector(app: app, service: service).map { ($0.0, .string($0.1)) })
    }
}

private extension ValueTree {
    /// A copy with `items` appended to the list `key` (created when missing); unchanged when `items` is empty.
    func updatingUnlessEmpty(_ key: String, _ items: [ValueTree]) -> ValueTree {
        guard !items.isEmpty else { return self }
        return updating(key) { list in
            guard case .array(let existing) = list else { return .array(items) }
            return .array(existing + items)
        }
    }

    /// A copy without the member `key`.
    func removing(_ key: String) -> ValueTree {
        guard case .object(let members) = self else { return self }
        return .object(members.filter { $0.key != key })
    }

    /// A copy with every subtree equal to `match` replaced by `replacement`.
    func replacing(_ match: ValueTree, with replacement: ValueTree) -> ValueTree {
        if self == match { return replacement }
        switch self {
        case .array(let items): return .array(items.map { $0.replacing(match, with: replacement) })
        case .object(let members):
            return .object(members.map { Member(key: $0.key, value: $0.value.replacing(match, with: replacement)) })
        default: return self
        }
    }
}
