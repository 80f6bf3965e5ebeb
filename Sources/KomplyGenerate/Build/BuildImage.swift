import KomplyCore

/// The image name komply gives a `build:`-only service: the generator writes it into the workload and
/// `komply images` lists it, so CI builds and pushes exactly what the manifests reference.
public enum BuildImage {
    /// `<registry>/<app>/<service>`; without a registry `<app>/<service>`, which a container runtime
    /// resolves to Docker Hub (`docker.io/<app>/<service>`).
    public static func repository(registry: String?, app: String, service: String) -> String {
        [registry, Naming.dnsLabel(app), Naming.dnsLabel(service)].compactMap { $0 }.joined(separator: "/")
    }

    /// The key of `GeneratorSettings.buildTags` for a service of an app (compose names).
    public static func tagKey(app: String, service: String) -> String {
        "\(Naming.dnsLabel(app))/\(service)"
    }

    /// `image` as `environment`'s overlay renders it (its `imageRegistry` and `imageTag` applied).
    public static func reference(_ image: String, in environment: EnvironmentConfig) -> String {
        let name = ImageKnowledge.repository(image)
        let last = name.split(separator: "/").last.map(String.init) ?? name
        let renamed = environment.imageRegistry.map { "\($0)/\(last)" } ?? name
        guard let tag = environment.imageTag ?? ImageKnowledge.tag(image) else { return renamed }
        return "\(renamed):\(tag)"
    }
}
