import Foundation
import KomplyCore

/// Tags for images komply names itself (`build:`-only services): a digest of the build context's files.
///
/// A content digest changes exactly when the sources change, so regenerating after an unrelated
/// commit produces no drift, and the same tree gives the same tag on every machine.
public enum BuildContextDigest {
    /// `src-<12 hex>` for the files under `directory` (`.git` and dot-folders skipped), or nil when it does not exist.
    public static func tag(directory: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else { return nil }
        var manifest = Data()
        let enumerator = FileManager.default.enumerator(atPath: directory)
        var files: [String] = []
        while let relative = enumerator?.nextObject() as? String {
            if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
            var childIsDirectory: ObjCBool = false
            let path = (directory as NSString).appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: path, isDirectory: &childIsDirectory), !childIsDirectory.boolValue {
                files.append(relative)
            }
        }
        for relative in files.sorted() {
            let contents = FileManager.default.contents(atPath: (directory as NSString).appendingPathComponent(relative)) ?? Data()
            manifest.append(Data("\(relative)\0\(contents.count)\0".utf8))
            manifest.append(Data(SHA256.hex(contents).utf8))
        }
        return "src-" + String(SHA256.hex(manifest).prefix(12))
    }

    /// Tags for every `build:`-only service of the projects, keyed `app/service`.
    public static func tags(for projects: [ComposeProject]) -> [String: String] {
        var tags: [String: String] = [:]
        for project in projects {
            guard let root = project.projectDirectory else { continue }
            for service in project.services where service.image == nil {
                guard case .string(let context)? = service.build?["context"], !context.contains("://") else { continue }
                let directory = context.hasPrefix("/") ? context : (root as NSString).appendingPathComponent(context)
                tags["\(project.name)/\(service.name)"] = tag(directory: directory) ?? "src-missing"
            }
        }
        return tags
    }
}
