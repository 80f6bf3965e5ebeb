import ArgumentParser
import KomplyCore
import KomplyLint

/// Options shared by `komply lint` and `komply rules`: config, extra rules, target version.
struct LintPolicyOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "The komply.yaml to read the policy section from (default: ./komply.yaml when present).")
    var config: String?

    @Option(name: .customLong("rules"), help: "A folder of extra rule files (user rules replace built-ins with the same id); repeatable.")
    var rulesDirectories: [String] = []

    @Option(name: .customLong("kube-version"), help: "Target Kubernetes version for deprecated-API rules, like 1.31.")
    var kubernetesVersion: String?

    func validate() throws {
        if let kubernetesVersion, kubernetesVersion.range(of: #"^v?1\.\d+$"#, options: .regularExpression) == nil {
            throw ValidationError("--kube-version \"\(kubernetesVersion)\": expected a version like 1.31")
        }
    }
}

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
}

extension Severity: ExpressibleByArgument {}
