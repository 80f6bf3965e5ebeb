import ArgumentParser
import Foundation
import KomplyCore
import KomplyPipeline

extension Komply {
    /// `komply images`: what CI must build and push for the generated manifests to run.
    struct Images: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every build-only service's context, Dockerfile and the exact image the manifests reference.",
            discussion: """
                A service with build: and no image: runs the image <registry>/<app>/<service>:src-<digest>, \
                where the digest covers its build context's files, so the tag changes exactly when the sources \
                do. Build and push these before `komply sync` (docs/gitops.md has a CI example). Without a \
                registry in komply.yaml (or --registry) the names resolve to Docker Hub, which is warned.

                Examples:
                  # the apps of komply.yaml's sources
                  komply images
                  # for CI: each build context, Dockerfile and image
                  komply images fixtures/generate/web-db/input --format json
                """
        )

        @OptionGroup var input: InputOptions

        @Option(name: .customLong("config"), help: "The komply.yaml to use (default: found in the current folder or the repository root).")
        var config: String?

        @Option(name: .customLong("registry"), help: "Registry for build-only services (overrides komply.yaml).")
        var registry: String?

        @Option(help: "Output format (docs/gitops.md describes the JSON).")
        var format: ImagesFormat = .text

        @OptionGroup var verbosity: VerbosityOptions

        /// `--format`.
        enum ImagesFormat: String, CaseIterable, ExpressibleByArgument { case text, json }

        func run() async throws {
            let console = verbosity.console
            let listing = try ImageListing.run(GenerateRequest(sources: input.sourceRequest, config: config, registry: registry))
            switch format {
            case .json: print(listing.json, terminator: "")
            case .text:
                listing.warnings.forEach(console.report)
                print(listing.text, terminator: "")
            }
            listing.failures.forEach { console.error("\($0)") }
            if !listing.failures.isEmpty { throw ExitCode(2) }
        }
    }
}
