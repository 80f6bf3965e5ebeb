import Foundation
import KomplyCore

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
    /// Whether an environment's `replicas` scales it (stateless Deployments without a claim).
    var scalesWithEnvironment = false
    /// Whether a HorizontalPodAutoscaler owns its replica count (no `spec.replicas` in git; environments move the autoscaler).
    var autoscaled = false
    /// The service whose pod this one's container joined (`network_mode: service:x`), nil for a pod of its own.
    var joinsPodOf: String?
    /// The fields of the pod that Pod Security `restricted` refuses, with the least level that admits each.
    var podSecurity: [LocatedPodSecurityNeed] = []
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
    var ignores: [Suppression] = []
    /// Rules a risk of this service touches (accepted or not), to find `x-komply.accept` entries nobody needs.
    var acceptedRisks: Set<String> = []
    /// The user the pod runs as and why, for the classification annotation.
    var userDecision = ""
    /// StatefulSet volume claim templates collected while mounting volumes.
    var volumeClaimTemplates: [ValueTree] = []
    /// The container variable that holds each secret variable the command, entrypoint or healthcheck interpolates.
    var secretArguments: [String: String] = [:]
    /// Mounted files that hold a secret: where they are mounted, their Secret key and why.
    var secretFiles: [(target: String, key: String, reason: String)] = []
    /// Secret values this service shares with others: which keys it owns and which it reads from another's Secret.
    var shared = SharedSecrets()
    /// The service whose pod this one's container joins (`network_mode: service:x`, placed by `Generator.placeSidecars`).
    var joinsPodOf: String?

    /// A builder for `service` of the app in `context`, classified on creation.
    init(context: AppContext, service: ComposeService, options: ServiceOptions) {
        self.context = context
        self.service = service
        self.options = options
        classification = Classifier.classify(service, options: options, project: context.project)
    }

    /// The Kubernetes name of the service's objects.
    var name: String { context.names[service.name] ?? Naming.dnsLabel(service.name) }
    /// The workload kind the service was classified as.
    var kind: WorkloadKind { classification.kind.value }
    /// Where the service is defined, for notices.
    var location: SourceLocation? { service.komply.source }

    /// Builds every object of the service.
    mutating func build() -> ServiceOutput {
        let labels = Naming.labels(app: context.appName, service: name, component: classification.role.value.rawValue)
        let selector = Naming.selector(app: context.appName, service: name)
        serviceAccount(labels: labels)
        var pod = mountingFoldersWhole(podSpec())
        let replicas = replicaCount()
        if replicas >= 2, kind.isScalable { pod = spreadingAcrossNodes(pod, selector: selector) }
        let resources = ResourcePlanner.plan(
            service, classification: classification, options: options,
            prediction: context.settings.predictions["\(context.appName)/\(service.name)"])
        for warning in resources.warnings { notice(.warning, warning) }
        output.kind = kind
        output.resources = resources
        output.scalesWithEnvironment = scalesWithEnvironment
        output.autoscaled = isAutoscaled(replicas: replicas)
        pod = pod.updatingContainer { $0.adding("resources", resources.tree) }
        var podAnnotations: [(String, String)] = [("komply.dev/sizing", resources.reason)]
        // A changed ConfigMap or Secret reference changes the template, so the workload rolls.
        if let hash = configHash(pod: pod) { podAnnotations.append((Self.configHashAnnotation, hash)) }
        workload(pod: pod, labels: labels, selector: selector, replicas: replicas, podAnnotations: podAnnotations)
        services(labels: labels, selector: selector)
        autoscaling(labels: labels, selector: selector, replicas: replicas)
        ingress(labels: labels)
        networkPolicy(labels: labels, selector: selector)
        unusedAcceptances()
        untranslatedKeys()
        return output
    }
}

// MARK: - Small helpers

extension ServiceBuilder {
    /// The standard labels of every object of this service.
    var commonLabels: [(String, String)] {
        Naming.labels(app: context.appName, service: name, component: classification.role.value.rawValue)
    }

    /// Records a notice about this service at the position of its compose key `key` (the service's when nil or unknown).
    mutating func notice(_ severity: Severity, _ message: String, at key: String? = nil) {
        output.notices.append(
            Diagnostic(severity, "service \(service.name): \(message)", at: key.flatMap { service.komply.positions[$0] } ?? location))
    }

    /// Adds a ConfigMap of this service with `data` in the given order.
    mutating func configMap(_ configName: String, data: [(String, ValueTree)]) {
        output.drafts.append(
            ObjectDraft(
                kind: "ConfigMap", name: configName,
                parts: ["metadata": metadata(configName, labels: commonLabels), "data": .members(data.map { ($0.0, $0.1) })]))
    }

    /// Object metadata with name, labels and (when any) annotations.
    func metadata(_ objectName: String, labels: [(String, String)], annotations: [(String, String)] = []) -> ValueTree {
        .members([
            ("name", .string(objectName)), ("labels", tree(labels)),
            ("annotations", annotations.isEmpty ? nil : tree(annotations)),
        ])
    }

    /// String pairs as a mapping.
    func tree(_ pairs: [(String, String)]) -> ValueTree {
        .members(pairs.map { ($0.0, .string($0.1)) })
    }
}
