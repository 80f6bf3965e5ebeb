import Foundation
import KomplyCore

extension ImageListing {
    /// `komply images` for a person: one line per image (`APP/SERVICE CONTEXT DOCKERFILE IMAGE`), then each environment whose overlay renders
    /// another reference.
    public var text: String {
        let listing = self
        guard !listing.images.isEmpty else { return "no build-only services: every service names its image\n" }
        let rows =
            [["APP/SERVICE", "CONTEXT", "DOCKERFILE", "IMAGE"]]
            + listing.images.map { ["\($0.app)/\($0.service)", $0.context, $0.dockerfile, $0.image] }
        let widths = (0..<3).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var out = ""
        for (index, row) in rows.enumerated() {
            out += (0..<3).map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
            out += "  \(row[3])\n"
            guard index > 0 else { continue }
            let image = listing.images[index - 1]
            for environment in image.environments where environment.image != image.image {
                out += "  in \(environment.name): \(environment.image)\n"
            }
        }
        return out
    }

    /// `komply images --format json` for CI (shape in docs/gitops.md): `{"version":1,"registry","images":[{"app","service","context","dockerfile","target","image","environments",
    /// "file","line","column"}],"warnings","failures"}`.
    public var json: String {
        let listing = self
        let images: [ValueTree] = listing.images.map { image in
            let start = image.location?.range?.start
            return .members([
                ("app", .string(image.app)), ("service", .string(image.service)), ("context", .string(image.context)),
                ("dockerfile", .string(image.dockerfile)), ("target", image.target.map(ValueTree.string) ?? .null),
                ("image", .string(image.image)),
                ("environments", .members(image.environments.map { ($0.name, .string($0.image)) })),
                ("file", image.location.map { .string($0.file) } ?? .null), ("line", start.map { .int($0.line) } ?? .null),
                ("column", start.map { .int($0.column) } ?? .null),
            ])
        }
        return JSONEmitter.emit(
            .members([
                ("version", .int(1)), ("registry", listing.registry.map(ValueTree.string) ?? .null), ("images", .array(images)),
                ("warnings", .array(listing.warnings.map(\.jsonValue))),
                (
                    "failures",
                    .array(listing.failures.map { .members([("app", .string($0.app)), ("message", .string($0.message))]) })
                ),
            ]))
    }
}
