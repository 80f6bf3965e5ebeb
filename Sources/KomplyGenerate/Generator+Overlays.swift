import Foundation
import KomplyCore

// The per-environment kustomize overlays: namespace, replicas, image rewrites and resource scaling.
extension Generator {
    /// One environment's overlay; `built` is what the base pass decided per service (kind, resources),
    /// so patches target exactly the objects the base holds.
    func overlay(
        _ environment: EnvironmentConfig, appName: String, project: ComposeProject, context: AppContext,
        built: [String: ServiceOutput], header: String
    ) throws(GenerateError) -> [GeneratedFile] {
        let namespace = self.namespace(of: environment, appName: appName)
        guard DNSLabel.isValid(namespace) else {
            throw .config(
                nil,
                message:
                    "environment \(environment.name): namespace \"\(namespace)\" (from its template) is not a DNS label; expected at most 63 lower-case letters, digits and \"-\", starting and ending with a letter or digit (shorten the template in komply.yaml)"
            )
        }
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
            // Stateless workloads only: a StatefulSet scaled by an environment becomes split copies of its data.
            let scalable = project.services.filter { built[$0.name]?.scalesWithEnvironment == true }
            // A workload an autoscaler manages carries no count in git: the environment's count becomes the
            // autoscaler's minimum instead (and its maximum at least that), so Argo CD never fights the autoscaler.
            let counted = scalable.filter { built[$0.name]?.autoscaled != true }
            if !counted.isEmpty {
                parts["replicas"] = .array(
                    counted.map { .members([("name", .string(context.names[$0.name]!)), ("count", .int(replicas))]) })
            }
            for service in scalable where built[service.name]?.autoscaled == true {
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
                try Self.checkScaled(plan, scale, service: service.name, environment: environment.name)
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
                            .members(
                                [
                                    ("app.kubernetes.io/part-of", .string(appName)), ("app.kubernetes.io/managed-by", .string("komply")),
                                ] + podSecurityLabels(built))
                        ),
                    ])
                ]))
        return [
            GeneratedFile(path: "\(folder)/kustomization.yaml", contents: header + YAMLEmitter.emit(kustomization)),
            GeneratedFile(path: "\(folder)/namespace.yaml", contents: header + YAMLEmitter.emit(namespaceObject)),
        ]
    }

    /// The namespace of an environment, its template expanded (`{app}-prod`, `defaults.namespace`).
    func namespace(of environment: EnvironmentConfig, appName: String) -> String {
        environment.namespace(app: appName, defaultTemplate: settings.namespaceTemplate)
    }

    /// An environment whose `replicas` is 0 or 1 runs single pods (an autoscaler's minimum 1), which lint reports
    /// on its overlays; komply does not accept that on the user's behalf, but says once per environment how a
    /// person records that one pod is what the environment should run (a policy exemption for its namespaces).
    func singlePodEnvironmentNotices(_ files: [GeneratedFile]) -> [Diagnostic] {
        settings.environments.compactMap { environment in
            guard let replicas = environment.replicas, replicas <= 1 else { return nil }
            let folder = "/overlays/\(Naming.dnsLabel(environment.name))/kustomization.yaml"
            let scaled = files.contains { file in
                file.path.hasSuffix(folder) && (file.contents.contains("\nreplicas:") || file.contents.contains("HorizontalPodAutoscaler"))
            }
            guard scaled else { return nil }
            let glob = namespace(of: environment, appName: "*")
            return Diagnostic(
                .warning,
                "environment \(environment.name): replicas: \(replicas) runs one pod of each stateless workload (an autoscaler's minimum 1), "
                    + "so komply lint reports single-replica and hpa-single-min-replica on its overlays; if that is what "
                    + "\(environment.name) should run, say so in komply.yaml: policy: {exemptions: [{rules: [single-replica, "
                    + "hpa-single-min-replica], namespaces: [\"\(glob)\"], reason: \"<why>\"}]}",
                at: nil)
        }
    }
}

private extension Generator {
    /// Refuses a `resourceScale` that takes a service's amounts past komply's physical bounds
    /// (1,000,000 cores, 4Ei): the overlay would ask for more than any cluster has.
    static func checkScaled(_ plan: ResourcePlan, _ scale: Double, service: String, environment: String) throws(GenerateError) {
        let amounts: [(String, Quantity, Double, NumberBound)] = [
            ("CPU request", plan.cpuRequest, Double(plan.cpuRequest.milliValue) / 1000, .cpuCores),
            ("CPU limit", plan.cpuLimit, Double(plan.cpuLimit.milliValue) / 1000, .cpuCores),
            ("memory request", plan.memoryRequest, Double(plan.memoryRequest.value), .memoryBytes),
            ("memory limit", plan.memoryLimit, Double(plan.memoryLimit.value), .memoryBytes),
        ]
        for (name, quantity, amount, bound) in amounts where amount * scale > bound.highest {
            throw .config(
                nil,
                message: "environment \"\(environment)\": resourceScale \(JSONEmitter.number(scale)) takes the \(name) of "
                    + "service \"\(service)\" (\(quantity)) past \(bound.name) \(bound.rangeText); expected a smaller "
                    + "resourceScale or amount")
        }
    }

    /// `quantity × scale`, rounded up to whole millicores or mebibytes.
    func scaledQuantity(_ quantity: Quantity, _ scale: Double, cpu: Bool) -> String {
        guard let scaled = try? quantity.scaled(by: scale) else { return quantity.description }
        if cpu {
            return Quantity(milliCPU: max(1, scaled.milliValue)).description
        }
        // Exact Quantity arithmetic: `value + 1Mi - 1` overflowed Int for amounts near 8Ei (4Ei × a scale of 16).
        let mebibyte = Quantity(bytes: 1 << 20)
        guard let rounded = try? scaled.roundedUp(toMultipleOf: mebibyte) else { return quantity.description }
        return (rounded.isZero ? mebibyte : rounded).formatted(as: .binarySI)
    }
}
