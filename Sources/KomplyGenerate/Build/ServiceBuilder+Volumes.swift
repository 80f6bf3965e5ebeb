import Foundation
import KomplyCore

// Volumes and mounts: PersistentVolumeClaims, claim templates, emptyDirs, file ConfigMaps and Secret files.
extension ServiceBuilder {
    /// Volumes and mounts: claims for named volumes, emptyDirs for tmpfs and writable paths, ConfigMaps for files, Secrets.
    mutating func mountVolumes(volumes: inout [ValueTree], mounts: inout [ValueTree]) {
        var covered = Set<String>()
        var fileData: [(String, String)] = []
        var fileItems: [(target: String, key: String)] = []
        var claims: [ValueTree] = []
        for (index, mount) in service.volumes.enumerated() {
            let target = mount.target
            if leavesOutDevelopmentMount(mount, index: index) { continue }
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
                if Paths.isHostPath(source) {
                    guard hostPathMount(mount, index: index, volumes: &volumes, mounts: &mounts) else { continue }
                } else {
                    bindMount(
                        source: source, target: target, at: "volumes[\(index)]", fileData: &fileData, fileItems: &fileItems, mounts: &mounts
                    )
                }
            default:
                notice(.warning, "volume type \(mount.type) at \(target) has no Kubernetes equivalent; left out", at: "volumes[\(index)]")
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
        let mounted = Set(service.volumes.filter { $0.type == "bind" }.compactMap(\.source).map(Paths.normalized))
        for path in options.hostPaths.keys.sorted() where !mounted.contains(path) {
            notice(.warning, "x-komply.hostPath names \(path), which no bind mount of the service uses; ignored")
        }
        for reference in service.configs {
            mountComposeConfig(reference, fileData: &fileData, mounts: &mounts, covered: &covered)
        }
        if !fileData.isEmpty {
            let configName = "\(name)-files"
            configMap(configName, data: fileData.map { ($0.0, .string($0.1)) })
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
        if !secretFiles.isEmpty {
            let secretName = "\(name)-secret-files"
            volumes.append(.members([("name", .string("secret-files")), ("secret", .members([("secretName", .string(secretName))]))]))
            for file in secretFiles {
                mounts.append(
                    .members([
                        ("name", .string("secret-files")), ("mountPath", .string(file.target)), ("subPath", .string(file.key)),
                        ("readOnly", .bool(true)),
                    ]))
                covered.insert(file.target)
            }
            provideSecret(
                secretName,
                keys: secretFiles.map { file in
                    (file.key, "a mounted file (\(file.target)): \(file.reason); create it with `--from-file=\(file.key)=<file>`")
                })
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
        for path in writablePaths(covered: covered) where !Self.isCovered(path, by: covered) {
            let volume = "tmp-" + Naming.dnsLabel(path, maxLength: 50)
            volumes.append(emptyDir(volume, memory: false))
            mounts.append(mountTree(volume, path, readOnly: false))
            covered.insert(path)
        }
    }

}

private extension ServiceBuilder {
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
            // Bounded, regular files only: a named pipe or device is never opened, a huge file never read whole.
            text = confinedPath(file, from: projectDirectory).flatMap { try? YAMLLoader.read(path: $0, displayName: file) }
                .flatMap { String(data: $0, encoding: .utf8) }
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
        let key = Naming.dataKey(reference.source)
        if let reason = SecretTaint.variables(in: text).first.map({ variableReason($0, "its content") })
            ?? SecretDetector.fileReason(text)?.description
        {
            secretFile(key: key, target: target, shown: "config \(reference.source)", reason: reason)
            covered.insert(target)
            return
        }
        if !fileData.contains(where: { $0.0 == key }) { fileData.append((key, text)) }
        mounts.append(
            .members([
                ("name", .string("files")), ("mountPath", .string(target)), ("subPath", .string(key)), ("readOnly", .bool(true)),
            ]))
        covered.insert(target)
    }

    /// A bind mount of repository files: their text becomes keys of `<service>-files`, mounted read-only.
    mutating func bindMount(
        source: String, target: String, at position: String, fileData: inout [(String, String)],
        fileItems: inout [(target: String, key: String)], mounts: inout [ValueTree]
    ) {
        let shown = "\(source):\(target)"
        guard let projectDirectory = context.project.projectDirectory, let absolute = confinedPath(source, from: projectDirectory) else {
            notice(
                .warning, "bind mount \(shown) does not resolve inside the repository; komply did not read it, so it is left out",
                at: position)
            return
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory) else {
            notice(
                .warning,
                "bind mount \(shown) names \(source), which is not in the repository, so the pod does not get it: add it to the repository or bake it into the image",
                at: position)
            return
        }
        let files: [(path: String, relative: String)]
        if isDirectory.boolValue {
            let folder = configFolderFiles(absolute)
            if let refusal = folder.refusal {
                notice(
                    .warning, "bind mount \(shown): \(refusal); a ConfigMap cannot carry the folder whole, so the mount is left out",
                    at: position)
                return
            }
            files = folder.files
        } else {
            files = [(absolute, (source as NSString).lastPathComponent)]
        }
        var total = 0
        var loaded: [(String, String, String)] = []
        let limit = 512 * 1024
        for file in files {
            // Bounded, regular files only: a named pipe or device is never opened, a huge file never read whole; and
            // no more than one byte past what a ConfigMap should carry is ever read.
            let data: Data
            do {
                data = try YAMLLoader.read(
                    path: file.path, displayName: file.relative, limits: LoadLimits(maxFileBytes: max(0, limit - total) + 1))
            } catch CoreError.fileTooLarge {
                notice(.warning, "bind mount \(shown) holds more than a ConfigMap should carry (512 KiB); left out", at: position)
                return
            } catch {
                notice(
                    .warning, "bind mount \(shown): \(error.localizedDescription); a ConfigMap cannot hold it, so the mount is left out",
                    at: position)
                return
            }
            guard let text = String(data: data, encoding: .utf8) else {
                notice(
                    .warning,
                    "bind mount \(shown): \(file.relative) is not UTF-8 text; a ConfigMap cannot hold it, so the mount is left out",
                    at: position)
                return
            }
            if let reason = SecretDetector.fileReason(text) {
                let key = Naming.dataKey((isDirectory.boolValue ? (source as NSString).lastPathComponent + "-" : "") + file.relative)
                let mountTarget = isDirectory.boolValue ? (target as NSString).appendingPathComponent(file.relative) : target
                secretFile(key: key, target: mountTarget, shown: "bind mount \(shown): \(file.relative)", reason: reason.description)
                continue
            }
            total += data.count
            loaded.append((file.relative, text, target))
        }
        guard total <= limit else {
            notice(.warning, "bind mount \(shown) holds more than a ConfigMap should carry (512 KiB); left out", at: position)
            return
        }
        for (relative, text, _) in loaded {
            let key = Naming.dataKey((isDirectory.boolValue ? (source as NSString).lastPathComponent + "-" : "") + relative)
            guard !fileData.contains(where: { $0.0 == key }) else { continue }
            fileData.append((key, text))
            let mountTarget = isDirectory.boolValue ? (target as NSString).appendingPathComponent(relative) : target
            fileItems.append((mountTarget, key))
        }
        guard !loaded.isEmpty else { return }
        notice(.info, "bind mount \(shown) becomes ConfigMap \(name)-files (\(loaded.count) file(s)), mounted read-only", at: position)
    }

    /// A bind mount of an absolute host path (or `~`): never read. With `x-komply.hostPath` consent it
    /// becomes a `hostPath` volume whose lint findings carry the consent's reason and expiry; without,
    /// it is left out with a warning at the mount's line. Returns whether it was mounted.
    mutating func hostPathMount(_ mount: VolumeMount, index: Int, volumes: inout [ValueTree], mounts: inout [ValueTree]) -> Bool {
        let source = mount.source ?? ""
        let at = service.komply.positions["volumes[\(index)]"] ?? location
        guard !source.hasPrefix("~") else {
            output.notices.append(
                Diagnostic(
                    .warning,
                    "service \(service.name): bind mount \(source):\(mount.target) names a folder in the host user's home; komply "
                        + "never reads it and a pod cannot mount it, so it is left out",
                    at: at))
            return false
        }
        guard let consent = options.hostPaths[Paths.normalized(source)] else {
            // Only a compose file has an x-komply block to record consent in.
            let hint =
                service.komply.origin == "compose"
                ? ". To mount it anyway, accept the risk in x-komply.hostPath: {\(quotedKey(source)): {reason: ..., expires: YYYY-MM-DD}}"
                : ""
            output.notices.append(
                Diagnostic(
                    .warning,
                    "service \(service.name): bind mount \(source):\(mount.target) is a host path; komply never reads it and pods "
                        + "should not mount host paths (Pod Security restricted), so it is left out" + hint,
                    at: at))
            return false
        }
        let path = Paths.normalized(source)
        let volume = "host-" + Naming.dnsLabel(path, maxLength: 50)
        volumes.append(.members([("name", .string(volume)), ("hostPath", .members([("path", .string(path))]))]))
        mounts.append(mountTree(volume, mount.target, readOnly: mount.readOnly))
        var rules = ["host-path-volume", "restricted-volume-type"]
        if Self.runtimeSockets.contains(path) { rules.append("docker-socket-mount") }
        for rule in rules { suppress(rule, accepted: consent, by: "x-komply.hostPath.\(path)") }
        output.notices.append(
            Diagnostic(
                .warning,
                "service \(service.name): host path \(path) is mounted as a hostPath volume (x-komply.hostPath: \(consent.reason), "
                    + "until \(consent.expires)); its namespace enforces Pod Security privileged",
                at: at))
        return true
    }

    /// A host path as a YAML key the user can paste: single-quoted where double quotes would read `\` as an escape.
    func quotedKey(_ path: String) -> String {
        path.contains("\\") ? "'\(path.replacingOccurrences(of: "'", with: "''"))'" : "\"\(path)\""
    }

    /// The container runtime sockets the `docker-socket-mount` rule flags.
    static let runtimeSockets: Set<String> = [
        "/var/run/docker.sock", "/run/docker.sock", "/var/run/containerd/containerd.sock", "/run/containerd/containerd.sock",
        "/var/run/crio/crio.sock", "/run/crio/crio.sock", "/var/run/cri-dockerd.sock", "/run/cri-dockerd.sock",
    ]

    /// Records a mounted file that holds a secret: it is mounted from Secret `<name>-secret-files`, which the user creates.
    mutating func secretFile(key: String, target: String, shown: String, reason: String) {
        guard !secretFiles.contains(where: { $0.target == target }) else { return }
        secretFiles.append((target, key, reason))
        notice(
            .warning,
            "\(shown) holds a secret (\(reason)); it is mounted from Secret \(name)-secret-files key \(key), which you create (SECRETS.md), and never copied into a ConfigMap"
        )
    }

    /// A `volumeMounts` entry.
    func mountTree(_ volume: String, _ path: String, readOnly: Bool) -> ValueTree {
        .members([("name", .string(volume)), ("mountPath", .string(path)), ("readOnly", readOnly ? .bool(true) : nil)])
    }

    /// An emptyDir volume, in memory for tmpfs.
    func emptyDir(_ volume: String, memory: Bool) -> ValueTree {
        .members([("name", .string(volume)), ("emptyDir", memory ? .members([("medium", .string("Memory"))]) : .object([]))])
    }

    /// The claim size: `x-komply.storage`, the image's default, else the configured default.
    var storageSize: String {
        options.storageSize?.description ?? classification.profile?.storageSize ?? context.settings.storageSize
    }

    /// The spec of a ReadWriteOnce claim of `storageSize`.
    func claimSpec() -> ValueTree {
        .members([
            ("accessModes", .array([.string("ReadWriteOnce")])),
            ("storageClassName", (options.storageClass ?? context.settings.storageClass).map(ValueTree.string)),
            ("resources", .members([("requests", .members([("storage", .string(storageSize))]))])),
        ])
    }

    /// A StatefulSet `volumeClaimTemplates` entry.
    func claimTemplate(_ volume: String) -> ValueTree {
        .members([("metadata", .members([("name", .string(volume))])), ("spec", claimSpec())])
    }

    /// A PersistentVolumeClaim object for a named volume (once per volume).
    mutating func persistentVolumeClaim(_ volume: String) {
        guard !output.drafts.contains(where: { $0.kind == "PersistentVolumeClaim" && $0.name == volume }) else { return }
        output.drafts.append(
            ObjectDraft(
                kind: "PersistentVolumeClaim", name: volume,
                parts: [
                    "metadata": metadata(volume, labels: commonLabels), "spec": claimSpec(),
                ]))
    }
}
