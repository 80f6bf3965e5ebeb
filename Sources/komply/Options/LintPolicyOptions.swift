import ArgumentParser
import KomplyCore
import KomplyLint
import KomplyPipeline

/// Options shared by `komply lint` and `komply rules`: config, extra rules, target version.
struct LintPolicyOptions: ParsableArguments {
    @Option(
        name: .customLong("config"),
        help: "The komply.yaml to read the policy section from (default: found from the current folder up to the repository root).")
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

    /// A lint request with this policy (no paths: for the rule commands), with komply.yaml found and
    /// validated whole as every command does (its rule ids are checked by the request's linter, which
    /// also knows the `--rules` folders).
    func request(paths: [String] = []) throws -> LintRequest {
        var request = LintRequest(paths: paths, rulesDirectories: rulesDirectories, kubernetesVersion: kubernetesVersion)
        request.config = try ProjectConfig.load(path: config, checkRuleIDs: false)
        return request
    }
}
