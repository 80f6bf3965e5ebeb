extension GeneratorSettings {
    /// The settings a komply.yaml asks for.
    public init(config: GenerateConfig) {
        self.init()
        registry = config.registry
        imagePullSecrets = config.imagePullSecrets
        defaultUID = config.defaults.uid
        storageSize = config.defaults.storageSize
        storageClass = config.defaults.storageClass
        dns = config.defaults.dns
        secrets = config.secrets.provider
        environments = config.environments
        namespaceTemplate = config.defaults.namespace
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
