import ArgumentParser
import KomplyCore
import KomplyLint

/// One `--format` value: a format and an optional output file (`sarif=out.sarif`).
struct FormatSpec: ExpressibleByArgument, Hashable {
    var format: ReportFormat
    var file: String?

    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard let format = ReportFormat(rawValue: parts[0]) else { return nil }
        self.format = format
        self.file = parts.count > 1 && !parts[1].isEmpty ? parts[1] : nil
    }

    static var allValueStrings: [String] { ReportFormat.allCases.map(\.rawValue) }

    /// Shell completion offers the formats (`=FILE` is typed by hand).
    static var defaultCompletionKind: CompletionKind { .list(allValueStrings) }
}

extension Severity: ExpressibleByArgument {}
