import Foundation
import KomplyCore

@testable import KomplyLint

/// Paths and helpers shared by KomplyLint's tests.
enum LintTestSupport {
    /// The repository root (this file is `Tests/KomplyLintTests/LintTestSupport.swift`).
    static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A path inside the repository.
    static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    /// A fixed day so expiry tests do not depend on the clock.
    static let today = ISO8601DateFormatter().date(from: "2026-06-01T12:00:00Z")!

    /// Lints YAML text with the built-in pack (optionally only some rules).
    static func lint(_ text: String, file: String = "test.yaml", only: [String]? = nil, config: PolicyConfig = PolicyConfig()) throws
        -> Linter.Result
    {
        let linter = try Linter(config: config, only: only, today: today)
        return linter.lint(sources: [ManifestSource(file: file, text: text)])
    }
}
