import Foundation
import KomplyCore

// The pod template's spec and its one container.
extension ServiceBuilder {
    /// The pod spec: one container with image, command, ports, environment, security, probes and mounts.
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
        // Secret variables in argv become `$(VAR)`, the container variable splitEnvironment took from the Secret.
        let variables = secretArguments
        if let entrypoint = service.entrypoint {
            container.append(("command", .array(entrypoint.map { .string(SecretReferences.argument($0, variables: variables)) })))
        }
        if let command = service.command {
            container.append(("args", .array(command.map { .string(SecretReferences.argument($0, variables: variables)) })))
        }
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
        let pullSecrets = context.settings.imagePullSecrets
        if !pullSecrets.isEmpty { pod.append(("imagePullSecrets", .array(pullSecrets.map { .members([("name", .string($0))]) }))) }
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
        pod += hostNamespaces()
        if let restartPolicy = kind.restartPolicy { pod.append(("restartPolicy", .string(restartPolicy))) }
        if ports.contains(where: { $0.port < 1024 }), !runsAsRoot {
            // Allowed by the restricted profile: lets the non-root image bind the port it was built for (so
            // `privileged-port` does not apply; nothing is suppressed).
            appendSecuritySysctl(&pod)
        }
        if let image = context.images[service.name] ?? service.image, !image.contains("@sha256:") {
            let tag = ImageKnowledge.tag(image)
            if tag == nil {
                risk(
                    ["missing-image-tag"], because: "compose names \(image) without a tag, which pulls latest; pin a version in compose",
                    at: "image")
            }
            if tag == "latest" {
                risk(["latest-image-tag"], because: "compose uses \(image), a mutable tag; pin a version in compose", at: "image")
            }
        }
        if !volumes.isEmpty { pod.append(("volumes", .array(volumes))) }
        return .members(pod)
    }

}

private extension ServiceBuilder {
    /// Whether the image reference can change under the same name (no tag, `latest`), so pods always pull.
    var imageIsMutable: Bool {
        guard let image = context.images[service.name] ?? service.image else { return false }
        if image.contains("@sha256:") { return false }
        let tag = ImageKnowledge.tag(image)
        return tag == nil || tag == "latest"
    }
}
