extension GeneratorSettings {
    /// The settings a komply.yaml asks for.
    public init(config: GenerateConfig) {
        self.init()
        registry = config.registry
        defaultUID = config.defaults.uid
        storageSize = config.defaults.storageSize
        storageClass = config.defaults.storageClass
        secrets = config.secrets.provider
        environments = config.environments.map {
            EnvironmentSettings(name: $0.name, namespace: $0.namespace, replicas: $0.replicas, resourceScale: $0.resourceScale,
                                imageRegistry: $0.imageRegistry, imageTag: $0.imageTag, cluster: $0.cluster)
        }
        if let argo = config.argocd {
            var settings = ArgoCDSettings(repoURL: argo.repoURL)
            settings.targetRevision = argo.targetRevision
            settings.project = argo.project
            settings.destinationServer = argo.destinationServer
            settings.applicationSet = argo.applicationSet
            settings.automated = argo.syncPolicy.automated
            argocd = settings
        }
        outputPath = config.output
    }
}
