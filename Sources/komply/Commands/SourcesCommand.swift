import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline
import KomplySources

extension Komply {
    /// `komply sources`: print the canonical Compose model komply understood.
    struct SourcesCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sources",
            abstract: "Print what komply understood from the inputs, as the canonical Compose model.",
            discussion: HelpText.paragraphs(
                """
                The output has the shape of `docker compose config --format json`, plus an `x-komply`
                member per service (source position, observed usage, runtime state). Paths inside the
                project stay relative to the project folder. Warnings go to standard error.

                Examples:
                  # komply.yaml's sources, else the current folder
                  komply sources
                  komply sources app/ --format yaml
                  komply sources shop.inspect.json --stats shop.stats.jsonl
                """)
        )

        /// Output formats.
        enum Format: String, ExpressibleByArgument, CaseIterable {
            case json, yaml
        }

        @OptionGroup var input: InputOptions

        @Option(help: "Output format.")
        var format: Format = .json

        func run() async throws {
            let request = try ProjectConfig.sources(input.sourceRequest, config: ProjectConfig.load())
            let projects = try SourceLoader.load(request)
            for diagnostic in projects.flatMap(\.diagnostics) {
                FileHandle.standardError.write(Data("komply: \(diagnostic)\n".utf8))
            }
            let trees = projects.map { $0.canonical() }
            switch format {
            case .json:
                print(JSONEmitter.emit(trees.count == 1 ? trees[0] : .array(trees)), terminator: "")
            case .yaml:
                print(YAMLEmitter.emit(documents: trees), terminator: "")
            }
        }
    }
}
