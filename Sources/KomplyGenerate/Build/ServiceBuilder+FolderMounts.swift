import Foundation
import KomplyCore

// A bind-mounted repository folder becomes one directory mount of its ConfigMap files, which refreshes in place.
extension ServiceBuilder {
    /// The pod with each bind-mounted repository folder whose mounted files are all in `<service>-files` mounted as
    /// one directory (a `configMap` volume with `items`) instead of one `subPath` mount per file: the kubelet updates a
    /// directory mount when the ConfigMap changes, a `subPath` mount never. The folder holds only komply's files, as
    /// under compose, whose bind mount hides the image's folder. A folder with a mount of anything else below it (a
    /// secret file, a volume) keeps its `subPath` mounts: a read-only ConfigMap directory cannot hold a mount point.
    func mountingFoldersWhole(_ pod: ValueTree) -> ValueTree {
        let folders = folderTargets
        guard !folders.isEmpty, case .array(let volumes)? = pod["volumes"],
            let files = volumes.first(where: { $0["name"]?.stringValue == "files" }),
            let configName = files["configMap"]?["name"]?.stringValue,
            case .array(let mounts)? = pod["containers"].flatMap({ containers -> ValueTree? in
                guard case .array(let items) = containers else { return nil }
                return items.first?["volumeMounts"]
            })
        else { return pod }
        var keptMounts = mounts
        var addedVolumes: [ValueTree] = []
        for (index, folder) in folders.enumerated() {
            let below = keptMounts.filter { ($0["mountPath"]?.stringValue ?? "").hasPrefix(folder + "/") }
            guard !below.isEmpty,
                below.allSatisfy({ $0["name"]?.stringValue == "files" && $0["subPath"] != nil }),
                !keptMounts.contains(where: { $0["mountPath"]?.stringValue == folder })
            else { continue }
            let volume = "files-dir-\(index)"
            let items: [ValueTree] = below.compactMap { mount in
                guard let key = mount["subPath"]?.stringValue, let path = mount["mountPath"]?.stringValue else { return nil }
                return .members([("key", .string(key)), ("path", .string(String(path.dropFirst(folder.count + 1))))])
            }
            addedVolumes.append(
                .members([
                    ("name", .string(volume)),
                    ("configMap", .members([("name", .string(configName)), ("items", .array(items))])),
                ]))
            keptMounts.removeAll { ($0["mountPath"]?.stringValue ?? "").hasPrefix(folder + "/") }
            keptMounts.append(.members([("name", .string(volume)), ("mountPath", .string(folder)), ("readOnly", .bool(true))]))
        }
        guard !addedVolumes.isEmpty else { return pod }
        let stillUsesFiles = keptMounts.contains { $0["name"]?.stringValue == "files" }
        let finalVolumes = volumes.filter { stillUsesFiles || $0["name"]?.stringValue != "files" } + addedVolumes
        return
            pod
            .updatingContainer { $0.updating("volumeMounts") { _ in .array(keptMounts) } }
            .updating("volumes") { _ in .array(finalVolumes) }
    }
}

private extension ServiceBuilder {
    /// The container paths of the service's bind mounts whose source is a folder in the repository, normalized.
    var folderTargets: [String] {
        guard let projectDirectory = context.project.projectDirectory, let root = context.project.repositoryRoot else { return [] }
        var targets: [String] = []
        for mount in service.volumes where mount.type == "bind" {
            guard let source = mount.source, !source.hasPrefix("/"), !source.hasPrefix("~"),
                let absolute = try? RepositoryRoot(root).resolve(source, from: projectDirectory, at: nil)
            else { continue }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: absolute, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            let target = Paths.normalized(mount.target)
            if target != "/", !targets.contains(target) { targets.append(target) }
        }
        return targets
    }
}
