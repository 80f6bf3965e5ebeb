import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPredict
import KomplyRefine

/// The recommendation card of `komply explain`: per service the review screen the brief asks for — what komply
/// thinks the service is, its resources and why, availability, security posture, health checks, traffic and
/// confidence — read from the same generation `komply generate` writes (in memory; nothing is written).
public struct ExplainCard: Sendable, Equatable {
    /// The environment whose overlay the objects were rendered from (`default` without environments).
    public var environment: String
    /// The sizing tier (`balanced`…), or `defaults` with --no-predict.
    public var sizingProfile: String
    /// The LLM that refined the output (`openai gpt-4o-mini at …`), nil when refinement did not run.
    public var refinement: String?
    /// One card per service, app then service order.
    public var services: [ServiceCard]

    /// Creates a card.
    public init(environment: String, sizingProfile: String, refinement: String? = nil, services: [ServiceCard]) {
        self.environment = environment
        self.sizingProfile = sizingProfile
        self.refinement = refinement
        self.services = services
    }

    /// One fact and the evidence for it (`node`, `build context has package.json`).
    public struct Fact: Sendable, Equatable {
        /// The value.
        public var value: String
        /// Why komply decided it.
        public var evidence: String
    }

    /// One container's requests and limits, where they came from and why.
    public struct Resources: Sendable, Equatable {
        /// The container.
        public var container: String
        /// Quantities as written (`100m`, `256Mi`); nil when the manifest sets none.
        public var cpuRequest: String?, cpuLimit: String?, memoryRequest: String?, memoryLimit: String?
        /// `deterministic` (komply's recommender or defaults) or `llm-adjusted` (a refinement changed them).
        public var source: String
        /// The recommender's reasons, then each accepted LLM change with the model's reason.
        public var reasons: [String]
    }

    /// Replicas, autoscaling and disruption budget.
    public struct Availability: Sendable, Equatable {
        /// `spec.replicas` as rendered; nil when an HPA owns it or the kind has none.
        public var replicas: Int?
        /// HPA bounds, nil without an HPA.
        public var minReplicas: Int?, maxReplicas: Int?
        /// HPA targets (`cpu 70%`).
        public var targets: [String]
        /// The PodDisruptionBudget (`maxUnavailable 1`), nil without one.
        public var disruptionBudget: String?
    }

    /// One accepted risk from `komply.dev/ignore`.
    public struct AcceptedRisk: Sendable, Equatable {
        /// The rule accepted, its container, the reason and the expiry (`YYYY-MM-DD`).
        public var rule: String, container: String?, reason: String, expires: String?
    }

    /// The pod's security posture.
    public struct Security: Sendable, Equatable {
        /// `runAsUser`, nil when the pod leaves it to the image.
        public var runAsUser: Int?
        /// Whether every container must run as non-root.
        public var runAsNonRoot: Bool
        /// Whether every container's root filesystem is read-only.
        public var readOnlyRootFilesystem: Bool
        /// Whether any container may escalate privileges.
        public var allowPrivilegeEscalation: Bool
        /// Capabilities dropped and added, over all containers.
        public var capabilitiesDropped: [String], capabilitiesAdded: [String]
        /// The namespace's Pod Security `enforce` level, nil when komply did not label it.
        public var podSecurityLevel: String?
        /// Risks a human accepted in `x-komply`.
        public var acceptedRisks: [AcceptedRisk]
    }

    /// One probe and where it came from.
    public struct Probe: Sendable, Equatable {
        /// The container, `startup`/`liveness`/`readiness`, the handler (`exec pg_isready -U shop`) and origin.
        public var container: String, type: String, handler: String, origin: String
    }

    /// One service's card.
    public struct ServiceCard: Sendable, Equatable {
        /// The app (output folder name) and the service (compose name).
        public var app: String, service: String
        /// The workload kind, role and runtime, with evidence.
        public var kind: Fact, role: Fact?, runtime: Fact?
        /// Requests and limits per container.
        public var resources: [Resources]
        /// Similar services from the history store (the LLM prompt's few-shot examples), best first.
        public var similar: [String]
        /// Replicas, HPA and PDB.
        public var availability: Availability
        /// uid, filesystem, capabilities, Pod Security level, accepted risks.
        public var security: Security
        /// Probes.
        public var health: [Probe]
        /// Traffic edges into and out of the service (`proxy → api on 3000/tcp (depends_on)`).
        public var inbound: [String], outbound: [String]
        /// The lowest sizing confidence of its containers (0…1), nil without komply predict.
        public var confidence: Double?
    }
}

extension ExplainCard {
    /// The card for `pipeline` (generated, and refined when a provider is set), objects as `environment`'s overlay
    /// renders them (default: the first environment, or `default`); `history` names the store whose similar
    /// services are listed.
    public static func make(_ pipeline: GeneratePipeline, environment: String? = nil, history: String? = nil) throws -> ExplainCard {
        let plan = pipeline.plan
        let chosen = environment ?? plan.settings.environments.first?.name ?? "default"
        let folder = plan.outputDirectory
        let texts = Dictionary(pipeline.result.files.map { ("\(folder)/\($0.path)", $0.contents) }, uniquingKeysWith: { $1 })
        let examples = try? PredictInput.recommender(config: plan.config, history: history)
        var services: [ServiceCard] = []
        for project in pipeline.projects.sorted(by: { $0.name < $1.name }) {
            let app = Naming.dnsLabel(project.name)
            let overlay = "\(folder)/\(app)/overlays/\(Naming.dnsLabel(chosen))/kustomization.yaml"
            let objects =
                OverlayLint.renderedObjects(of: overlay, texts: texts)
                ?? pipeline.result.files.filter { $0.path.hasPrefix("\(app)/base/") && $0.path.hasSuffix(".yaml") }
                .flatMap { file in (try? YAMLLoader.parse(file.contents, file: file.path).map { $0.valueTree() }) ?? [] }
            let level = objects.first { $0["kind"]?.stringValue == "Namespace" }
                .flatMap { $0["metadata"]?["labels"]?["pod-security.kubernetes.io/enforce"]?.stringValue }
            for service in project.services.sorted(by: { $0.name < $1.name }) {
                let name = Naming.dnsLabel(service.name)
                guard
                    let workload = objects.first(where: {
                        WorkloadKind(rawValue: $0["kind"]?.stringValue ?? "") != nil && $0["metadata"]?["name"]?.stringValue == name
                    })
                else { continue }
                let recommendations = pipeline.recommendations.filter { Naming.dnsLabel($0.app) == app && $0.service == service.name }
                let refinement = pipeline.refinement?.services.first { $0.app == app && $0.service == service.name }
                let similar =
                    examples?.similarDeployments(to: PredictInput.features(of: service, app: project.name), limit: 5).map(\.summary) ?? []
                var card = ServiceBuilding(
                    app: app, name: name, service: service, workload: workload, objects: objects, recommendations: recommendations,
                    refinement: refinement, level: level
                ).card
                card.similar = similar
                card.inbound = pipeline.result.traffic.filter { $0.app == app && $0.to == service.name }.map(edge)
                card.outbound = pipeline.result.traffic.filter { $0.app == app && $0.from == service.name }.map(edge)
                services.append(card)
            }
        }
        return ExplainCard(
            environment: chosen, sizingProfile: pipeline.sizingProfile, refinement: pipeline.refinement?.settings, services: services)
    }
}

private extension ExplainCard {
    /// `proxy → api on 3000/tcp (depends_on)`.
    static func edge(_ edge: TrafficEdge) -> String {
        let allowed = edge.ports.isEmpty ? "not allowed: no port known" : "on \(edge.ports.joined(separator: ", "))"
        return "\(edge.from) → \(edge.to) \(allowed) (\(edge.evidence.joined(separator: ", ")))"
    }

    /// One service's facts, read from its rendered objects.
    struct ServiceBuilding {
        var app: String, name: String
        var service: ComposeService
        var workload: ValueTree
        var objects: [ValueTree]
        var recommendations: [Recommendation]
        var refinement: ServiceRefinement?
        var level: String?

        var kindName: String { workload["kind"]?.stringValue ?? "" }
        var podSpec: ValueTree? {
            WorkloadKind(rawValue: kindName).flatMap { kind in kind.podTemplatePath.reduce(Optional(workload)) { $0?[$1] } }
        }
        var containers: [ValueTree] {
            guard case .array(let items)? = podSpec?["containers"] else { return [] }
            return items
        }
        var annotations: [String: String] {
            var out: [String: String] = [:]
            for member in workload["metadata"]?["annotations"]?.objectMembers ?? [] { out[member.key] = member.value.stringValue }
            return out
        }

        var card: ServiceCard {
            let facts = Self.classification(annotations["komply.dev/classification"] ?? "")
            return ServiceCard(
                app: app, service: service.name,
                kind: Fact(value: kindName, evidence: facts["kind"]?.evidence ?? "workload kind"), role: facts["role"],
                runtime: facts["runtime"], resources: resources, similar: [], availability: availability, security: security,
                health: health, inbound: [], outbound: [], confidence: recommendations.map(\.confidence).min())
        }

        var resources: [Resources] {
            let accepted = refinement?.review.accepted.map(\.operation) ?? []
            return containers.map { container in
                let name = container["name"]?.stringValue ?? ""
                let resources = container["resources"]
                let changes = accepted.filter { $0.path.hasPrefix("/containers/\(name)/resources") }
                var reasons = recommendations.first { $0.container == name }?.reasons ?? []
                if reasons.isEmpty,
                    let sizing = workload["spec"]?["template"]?["metadata"]?["annotations"]?["komply.dev/sizing"]?.stringValue
                {
                    reasons.append("sized from \(sizing)")
                }
                reasons += changes.map { "LLM: \($0.summary)\($0.reason.isEmpty ? "" : " (\($0.reason))")" }
                let adjusted = !changes.isEmpty || SizingSource.of(container: name, annotations: annotations, podAnnotations: [:]) == .llm
                return Resources(
                    container: name, cpuRequest: Self.text(resources?["requests"]?["cpu"]),
                    cpuLimit: Self.text(resources?["limits"]?["cpu"]), memoryRequest: Self.text(resources?["requests"]?["memory"]),
                    memoryLimit: Self.text(resources?["limits"]?["memory"]), source: adjusted ? "llm-adjusted" : "deterministic",
                    reasons: reasons)
            }
        }

        var availability: Availability {
            let hpa = objects.first {
                $0["kind"]?.stringValue == "HorizontalPodAutoscaler" && $0["spec"]?["scaleTargetRef"]?["name"]?.stringValue == name
            }
            let pdb = objects.first { $0["kind"]?.stringValue == "PodDisruptionBudget" && $0["metadata"]?["name"]?.stringValue == name }
            var targets: [String] = []
            if case .array(let metrics)? = hpa?["spec"]?["metrics"] {
                for metric in metrics {
                    guard let resource = metric["resource"], let metricName = resource["name"]?.stringValue else { continue }
                    let target = resource["target"]
                    targets.append(
                        "\(metricName) \(Self.text(target?["averageUtilization"]).map { "\($0)%" } ?? Self.text(target?["averageValue"]) ?? "")"
                    )
                }
            }
            let budget = pdb.flatMap { pdb -> String? in
                if let value = Self.text(pdb["spec"]?["maxUnavailable"]) { return "maxUnavailable \(value)" }
                return Self.text(pdb["spec"]?["minAvailable"]).map { "minAvailable \($0)" }
            }
            return Availability(
                replicas: Self.int(workload["spec"]?["replicas"]), minReplicas: Self.int(hpa?["spec"]?["minReplicas"]),
                maxReplicas: Self.int(hpa?["spec"]?["maxReplicas"]), targets: targets, disruptionBudget: budget)
        }

        var security: Security {
            let pod = podSpec?["securityContext"]
            let contexts = containers.map { $0["securityContext"] }
            func strings(_ key: String) -> [String] {
                var out: [String] = []
                for context in contexts {
                    if case .array(let items)? = context?["capabilities"]?[key] { out += items.compactMap(\.stringValue) }
                }
                return Array(Set(out)).sorted()
            }
            let nonRoot =
                pod?["runAsNonRoot"] == ValueTree.bool(true)
                || (!contexts.isEmpty && contexts.allSatisfy { $0?["runAsNonRoot"] == ValueTree.bool(true) })
            let risks = Suppression.parse(annotations[Suppression.annotation] ?? "").suppressions.map {
                AcceptedRisk(rule: $0.ruleID, container: $0.container, reason: $0.reason, expires: $0.expires)
            }
            return Security(
                runAsUser: Self.int(pod?["runAsUser"]) ?? contexts.compactMap { Self.int($0?["runAsUser"]) }.first, runAsNonRoot: nonRoot,
                readOnlyRootFilesystem: !contexts.isEmpty && contexts.allSatisfy { $0?["readOnlyRootFilesystem"] == ValueTree.bool(true) },
                allowPrivilegeEscalation: contexts.contains { $0?["allowPrivilegeEscalation"] != ValueTree.bool(false) },
                capabilitiesDropped: strings("drop"), capabilitiesAdded: strings("add"), podSecurityLevel: level, acceptedRisks: risks)
        }

        var health: [Probe] {
            var probes: [Probe] = []
            let refined = annotations["komply.dev/refined"] ?? ""
            for container in containers {
                let name = container["name"]?.stringValue ?? ""
                for type in ["startup", "liveness", "readiness"] {
                    guard let probe = container["\(type)Probe"] else { continue }
                    var origin: String
                    if let check = service.healthcheck, !check.disable {
                        origin = "compose healthcheck"
                    } else if probe["tcpSocket"] != nil {
                        origin = "TCP check on the service's port"
                    } else {
                        origin = "image knowledge (\(service.image.map(ImageKnowledge.familyName) ?? "known image"))"
                    }
                    if refined.contains("/containers/\(name)/\(type)Probe") { origin += ", timings adjusted by the LLM" }
                    probes.append(Probe(container: name, type: type, handler: Self.handler(probe), origin: origin))
                }
            }
            return probes
        }

        /// `kind=Deployment (stateless service); role=api (…)` → facts by key.
        static func classification(_ text: String) -> [String: Fact] {
            var parts: [String] = []
            for piece in text.components(separatedBy: "; ") {
                let head = piece.prefix { $0 != "=" && $0 != " " }
                if !parts.isEmpty && (head.isEmpty || !piece.dropFirst(head.count).hasPrefix("=")) {
                    parts[parts.count - 1] += "; " + piece
                } else {
                    parts.append(piece)
                }
            }
            var facts: [String: Fact] = [:]
            for part in parts {
                guard let equals = part.firstIndex(of: "=") else { continue }
                let key = String(part[..<equals])
                let rest = part[part.index(after: equals)...]
                let value = rest.prefix { $0 != " " }
                var evidence = rest.dropFirst(value.count).trimmingCharacters(in: .whitespaces)
                if evidence.hasPrefix("(") && evidence.hasSuffix(")") { evidence = String(evidence.dropFirst().dropLast()) }
                facts[key] = Fact(value: String(value), evidence: evidence)
            }
            return facts
        }

        static func handler(_ probe: ValueTree) -> String {
            if case .array(let command)? = probe["exec"]?["command"] {
                return "exec " + command.compactMap { text($0) }.joined(separator: " ")
            }
            if let get = probe["httpGet"] { return "GET \(text(get["path"]) ?? "/") on port \(text(get["port"]) ?? "?")" }
            if let tcp = probe["tcpSocket"] { return "TCP port \(text(tcp["port"]) ?? "?")" }
            if let grpc = probe["grpc"] { return "gRPC port \(text(grpc["port"]) ?? "?")" }
            return "unknown handler"
        }

        static func text(_ value: ValueTree?) -> String? {
            switch value {
            case .string(let s)?: return s
            case .int(let i)?: return String(i)
            case .double(let d)?: return JSONEmitter.number(d)
            case .bool(let b)?: return String(b)
            default: return nil
            }
        }

        static func int(_ value: ValueTree?) -> Int? {
            if case .int(let i)? = value { return i }
            return nil
        }
    }
}
