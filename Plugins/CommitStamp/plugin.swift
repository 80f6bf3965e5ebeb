import Foundation
import PackagePlugin

/// Stamps the komply executable with the git commit it is built from (`komply --version`): before
/// each build, scripts/commit-stamp writes BuildCommit.swift, touching it only when the commit changed.
/// It reads the local `.git` only (no network); a source tree without one says "unknown commit".
@main
struct CommitStamp: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let output = context.pluginWorkDirectoryURL.appending(path: "Stamp")
        let package = context.package.directoryURL
        return [
            .prebuildCommand(
                displayName: "Stamp komply with its git commit", executable: URL(fileURLWithPath: "/bin/sh"),
                arguments: [package.appending(path: "scripts/commit-stamp").path, package.path, output.path],
                outputFilesDirectory: output)
        ]
    }
}
