import Foundation
import KomplyCore

// Where a container may write under its read-only root filesystem.
extension ServiceBuilder {
    /// The paths that get an emptyDir under the read-only root: the image profile's scratch paths, its data path when
    /// no volume covers it (a Deployment's data is lost with the pod: warned about unless the image is a cache), and
    /// `x-komply.writablePaths`. An image komply does not know gets `/tmp` only and a warning naming
    /// `x-komply.writablePaths`, unless that key lists paths already.
    mutating func writablePaths(covered: Set<String>) -> [String] {
        guard let profile = classification.profile else {
            if options.writablePaths.isEmpty {
                let image =
                    classification.image.map { "image \($0.value)" }
                    ?? "the image built from \(service.build?["context"]?.stringValue ?? "its build context") (no Dockerfile komply can read)"
                output.notices.append(
                    Diagnostic(
                        .warning, "service \(service.name): \(Self.unknownImageWritablePaths(image))",
                        at: service.komply.positions["image"] ?? service.komply.positions["build"] ?? location))
            }
            return ["/tmp"] + options.writablePaths
        }
        var paths = profile.writablePaths
        if let data = profile.dataPath, !kind.hasVolumeClaimTemplates, !Self.isCovered(data, by: covered) {
            paths.append(data)
            if profile.role != .cache {
                notice(.warning, Self.dataInEmptyDir(profile.family, data))
            }
        }
        return paths + options.writablePaths
    }

    /// Whether `path` is a mount target or lies under one.
    static func isCovered(_ path: String, by covered: Set<String>) -> Bool {
        covered.contains(path) || covered.contains { path.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
    }

    /// An unknown image keeps a read-only root with `/tmp` writable only.
    static func unknownImageWritablePaths(_ image: String) -> String {
        "\(image) is not one komply knows: its root filesystem is read-only with only /tmp writable; list the paths it writes in x-komply.writablePaths (they fail with 'Read-only file system' otherwise)"
    }

    /// A known image's data path gets an emptyDir because compose mounts no volume there.
    static func dataInEmptyDir(_ family: String, _ path: String) -> String {
        "\(family) keeps its data in \(path), which no compose volume covers: it gets an emptyDir and is lost when the pod restarts elsewhere (mount a named volume at \(path) to keep it)"
    }
}
