import Foundation

/// Whether an image tag ships its family's probe command, and why.
public struct ProbeCommandAvailability: Sendable, Equatable {
    /// True when the tag is known to ship the command.
    public var ships: Bool
    /// Why, as a phrase (`mariadb 10.6.4-focal predates healthcheck.sh (first in 10.6.12)`).
    public var reason: String
}

// Which image versions ship the command a profile probes with.
extension ImageKnowledge {
    /// Whether `image`'s tag ships `profile.probeCommand`: a pinned version at or after the first release of its series
    /// that has it; a moving tag (`latest`, `lts`, none, `11`, `10.11`) whose current images have it; not for older
    /// pinned versions, variant tags that pin only a series (`10-focal`, which stop moving when the variant is
    /// dropped) or digests.
    public static func probeCommandAvailability(_ profile: ImageProfile, image: String?) -> ProbeCommandAvailability {
        guard let command = profile.probeCommand?.first else { return ProbeCommandAvailability(ships: false, reason: "no probe command") }
        guard let firsts = firstReleases[profile.family] else {
            return ProbeCommandAvailability(ships: true, reason: "every \(profile.family) image ships \(command)")
        }
        let tag = image.map { reference in Self.tag(reference) ?? (reference.contains("@") ? "@digest" : "latest") } ?? "latest"
        let shown = "\(profile.family):\(tag)"
        if tag == "latest" || tag == "lts" {
            return ProbeCommandAvailability(ships: true, reason: "\(shown) is a moving tag whose current images ship \(command)")
        }
        let numeric = tag.prefix { $0.isNumber || $0 == "." }
        let version = numeric.split(separator: ".").compactMap { Int($0) }
        // A distribution codename variant (`10-focal`) stops moving when the image drops that distribution.
        let frozenVariant = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).contains { codenames.contains($0.lowercased()) }
        guard let major = version.first else {
            if tag == "@digest" || frozenVariant {
                return ProbeCommandAvailability(ships: false, reason: "\(shown) names no version komply can compare")
            }
            return ProbeCommandAvailability(ships: true, reason: "\(shown) is a moving tag whose current images ship \(command)")
        }
        let series = version.count >= 2 ? "\(major).\(version[1])" : "\(major)"
        let newest = firsts.keys.compactMap { key in key.split(separator: ".").compactMap { Int($0) }.first }.max() ?? 0
        let first = version.count >= 2 ? firsts[series] : nil
        let seriesShips = major > newest || first != nil || (version.count == 1 && major == newest)
        if version.count < 3 {
            if frozenVariant {
                return ProbeCommandAvailability(
                    ships: false, reason: "\(shown) follows a series on one distribution, which stops moving when the image drops it")
            }
            return ProbeCommandAvailability(
                ships: seriesShips,
                reason: seriesShips
                    ? "\(shown) follows a series whose current images ship \(command)"
                    : "no \(profile.family) \(series) image ships \(command)")
        }
        guard major <= newest else {
            return ProbeCommandAvailability(ships: true, reason: "every \(profile.family) \(major) image ships \(command)")
        }
        guard let first else {
            return ProbeCommandAvailability(ships: false, reason: "no \(profile.family) \(series) image ships \(command)")
        }
        let firstVersion = first.split(separator: ".").compactMap { Int($0) }
        let ships = version.lexicographicallyPrecedes(firstVersion) == false
        return ProbeCommandAvailability(
            ships: ships,
            reason: ships ? "\(shown) ships \(command) (first in \(first))" : "\(shown) predates \(command) (first in \(first))")
    }
}

private extension ImageKnowledge {
    /// Debian and Ubuntu release codenames used as tag variants.
    static let codenames: Set<String> = [
        "trusty", "xenial", "bionic", "focal", "jammy", "noble", "jessie", "stretch", "buster", "bullseye", "bookworm", "trixie",
    ]

    /// Per family whose probe command arrived late, the first release of each series that ships it; series not
    /// listed never had it, majors above the newest listed always have it. MariaDB's official images added
    /// `healthcheck.sh` with the February 2023 releases (10.3.38 … 10.11.2); RabbitMQ's `rabbitmq-diagnostics ping`
    /// is in every 3.8 and later image.
    static let firstReleases: [String: [String: String]] = [
        "mariadb": [
            "10.3": "10.3.38", "10.4": "10.4.28", "10.5": "10.5.19", "10.6": "10.6.12", "10.7": "10.7.8", "10.8": "10.8.7",
            "10.9": "10.9.5", "10.10": "10.10.3", "10.11": "10.11.2",
        ],
        "rabbitmq": ["3.8": "3.8.0", "3.9": "3.9.0", "3.10": "3.10.0", "3.11": "3.11.0", "3.12": "3.12.0", "3.13": "3.13.0"],
    ]
}
