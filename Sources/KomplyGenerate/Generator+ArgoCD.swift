import Foundation
import KomplyCore

// Argo CD: an Application per environment, or one ApplicationSet.
extension Generator {
    /// The Argo CD files of an app, nil when no repository URL is known.
    func argoApplications(appName: String, environments: [EnvironmentConfig], header: String) throws(GenerateError) -> [GeneratedFile]? {
        guard let repoURL = settings.argocd.repoURL else { return nil }
        let argo = settings.argocd
        var files: [GeneratedFile] = []
        if argo.applicationSet {
            return [try applicationSet(appName: appName, environments: environments, repoURL: repoURL, header: header)]
        }
        for environment in environments {
            let namespace = self.namespace(of: environment, appName: appName)
            let envName = Naming.dnsLabel(environment.name)
            let spec = applicationSpec(
                repoURL: repoURL, path: "\(settings.outputPath)/\(appName)/overlays/\(envName)",
                server: environment.cluster ?? argo.destinationServer, namespace: namespace)
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
}

private extension Generator {
    /// An Application's spec: the overlay at `path` synced to `namespace` on `server`, pruned and self-healed when automated.
    func applicationSpec(repoURL: String, path: String, server: String, namespace: String) -> ValueTree {
        let argo = settings.argocd
        return .members([
            ("project", .string(argo.project)),
            (
                "source",
                .members([("repoURL", .string(repoURL)), ("targetRevision", .string(argo.targetRevision)), ("path", .string(path))])
            ),
            ("destination", .members([("server", .string(server)), ("namespace", .string(namespace))])),
            (
                "syncPolicy",
                .members([
                    ("automated", argo.automated ? .members([("prune", .bool(true)), ("selfHeal", .bool(true))]) : nil),
                    ("syncOptions", .array([.string("CreateNamespace=false"), .string("ServerSideApply=true")])),
                ])
            ),
        ])
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
                    .string(namespace(of: environment, appName: appName))
                ),
                ("server", .string(environment.cluster ?? argo.destinationServer)),
                ("path", .string("\(settings.outputPath)/\(appName)/overlays/\(envName)")),
            ])
        }
        let template: ValueTree = .members([
            ("metadata", .members([("name", .string("\(appName)-{{env}}")), ("namespace", .string("argocd"))])),
            ("spec", applicationSpec(repoURL: repoURL, path: "{{path}}", server: "{{server}}", namespace: "{{namespace}}")),
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
}
