import Foundation
import KomplyCore
import KomplyPredict

/// Where the history lives and the sizing defaults, from `komply.yaml` (`predict:` section) and flags.
public enum HistoryLocation {
    /// The default history file.
    public static let defaultPath = ".komply/history.sqlite"

    /// The history path: the flag, else `predict.history` in komply.yaml, else `.komply/history.sqlite`.
    public static func resolve(_ flag: String?, config: ConfigFile?) throws -> String {
        if let flag { return flag }
        guard let config, let written = try SizingConfig.read(config).historyPath else { return defaultPath }
        // A file is written relative to komply.yaml's folder; a postgres:// URL is taken as written.
        return HistoryStore.isURL(written) ? written : config.resolve(written)
    }

    /// `resolve(_:config:)` with the komply.yaml found from the current folder up to the repository root.
    public static func resolve(_ flag: String?) throws -> String {
        if let flag { return flag }
        return try resolve(nil, config: ConfigFile.discover(from: "."))
    }

    /// The time "now": `--now`, else `KOMPLY_NOW`, else the clock.
    public static func now(_ flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Double {
        let text = flag ?? environment["KOMPLY_NOW"]
        guard let text else { return Date().timeIntervalSince1970 }
        // A "now" outside 1970…2100 would date every sample in the future or the far past.
        guard let seconds = Timestamp.parse(text), (try? BoundedNumber.check(seconds, .unixSeconds)) != nil else {
            throw PipelineError.invalidTime(text)
        }
        return seconds
    }
}
