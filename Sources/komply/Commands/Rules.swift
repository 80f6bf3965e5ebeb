import ArgumentParser
import Foundation
import KomplyCore
import KomplyLint

extension Komply {
    /// `komply rules`: list, show and test policy rules.
    struct Rules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rules",
            abstract: "List, show, test and create policy rules.",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  # every rule with its severity and category
                  komply rules list
                  # the rule reference (docs/rules.md)
                  komply rules list --format markdown
                  komply rules show run-as-root
                  komply rules test policy/rules            # run your rules' own fixtures
                  komply rules new service-missing-owner --category metadata --check Assert
                """),
            subcommands: [List.self, Show.self, Test.self, New.self]
        )
    }
}

extension Komply.Rules {
    /// `komply rules list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the rules (built-in, configured and from --rules folders).",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  # id, severity as configured, category
                  komply rules list
                  komply rules list --format json
                  # with a folder of your own rules
                  komply rules list --rules fixtures/lint/custom-rules
                """))

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, markdown }

        @Option(help: "Output format.")
        var format: Format = .text

        @OptionGroup var policy: LintPolicyOptions

        func run() async throws {
            let linter = try policy.request().makeLinter()
            let active = Dictionary(uniqueKeysWithValues: linter.active.map { ($0.rule.id, $0.severity) })
            switch format {
            case .text:
                let width = linter.allRules.map(\.id.count).max() ?? 0
                for rule in linter.allRules {
                    let state = active[rule.id].map(\.rawValue) ?? "off"
                    print(
                        rule.id.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                            + state.padding(toLength: 7, withPad: " ", startingAt: 0)
                            + "  " + rule.category.padding(toLength: 12, withPad: " ", startingAt: 0) + "  " + rule.description)
                }
            case .json:
                print(JSONEmitter.emit(.array(linter.allRules.map { $0.valueTree(effective: active[$0.id]) })), terminator: "")
            case .markdown:
                print(RuleReference.markdown(linter.allRules), terminator: "")
            }
        }
    }

    /// `komply rules show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one rule: what it checks, why, how to fix it, and its parameters.",
            discussion: HelpText.paragraphs(
                """
                Examples:
                  komply rules show run-as-root
                  komply rules show approved-registry --rules fixtures/lint/custom-rules
                """))

        @Argument(help: "The rule id.")
        var id: String

        @OptionGroup var policy: LintPolicyOptions

        @Option(help: "Output format: text (markdown) or json ({\"version\":1,\"rule\":{…}}, the fields of rules list --format json).")
        var format: Format = .text

        /// `--format`.
        enum Format: String, CaseIterable, ExpressibleByArgument { case text, json }

        func run() async throws {
            let linter = try policy.request().makeLinter()
            guard let rule = linter.allRules.first(where: { $0.id == id }) else {
                throw LintError.unknownRule(id, location: nil, suggestion: Suggestion.closest(to: id, among: linter.allRules.map(\.id)))
            }
            let severity = linter.active.first { $0.rule.id == id }?.severity
            switch format {
            case .text: print(RuleReference.section(rule, effective: severity), terminator: "")
            case .json:
                print(JSONEmitter.emit(.members([("version", .int(1)), ("rule", rule.valueTree(effective: severity))])), terminator: "")
            }
        }
    }

    /// `komply rules test DIR…`.
    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run rules' own fixtures (compliant.*.yaml / violating.*.yaml with # expect: markers).",
            discussion: HelpText.paragraphs(
                """
                Fixtures are found in DIR/fixtures/<rule-id>/, DIR/../fixtures/rules/<rule-id>/ or DIR/<rule-id>/.

                Examples:
                  # a rule folder with fixtures/<rule-id>/
                  komply rules test fixtures/lint/custom-rules
                """))

        @Argument(help: "Folders of rule files.")
        var directories: [String]

        func run() async throws {
            let report = try RuleTester.testPack(directories: directories)
            for line in report.lines { print(line) }
            if report.failed > 0 { throw ExitCode(1) }
        }
    }
}

extension Komply.Rules {
    /// `komply rules new ID --category C --check NAME`.
    struct New: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a built-in rule: its file in rules/<category>/ and fixtures in fixtures/rules/<id>/.",
            discussion: HelpText.paragraphs(
                """
                Run in komply's repository (or pass --root). The rule starts from the first rule that uses the same \
                check (message, scope, params and fixtures), so it loads and its fixtures pass; edit them, replace \
                the TODO description and remediation, then run scripts/generate.

                Examples:
                  komply rules new service-missing-owner --category metadata --check Assert
                  komply rules new job-missing-deadline --category availability \\
                    --severity warning --check Assert
                """))

        @Argument(help: "The rule id: kebab-case, naming the flagged condition (missing-owner-label).")
        var id: String

        @Option(help: "The category: a folder of rules/.")
        var category: String

        @Option(help: "The check template the rule runs (docs/checks.md lists them).")
        var check: String

        @Option(help: "Default severity (default: the example rule's, else warning).")
        var severity: Severity?

        @Option(help: "What the rule flags, as a sentence.")
        var description: String?

        @Option(help: "What to do about a finding, as a sentence.")
        var remediation: String?

        @Option(help: "The repository root to write into.")
        var root: String = "."

        func run() async throws {
            let scaffold = RuleScaffold(
                id: id, category: category, check: check, severity: severity, description: description, remediation: remediation)
            for path in try scaffold.write(into: root) { print("created \(path)") }
        }
    }
}
