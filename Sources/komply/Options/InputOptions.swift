import ArgumentParser
import KomplySources

/// The inputs shared by commands that read apps: paths, `-f` files, env files and profiles.
struct InputOptions: ParsableArguments {
    @Argument(
        help:
            "Apps to read: a compose file, a docker inspect snapshot, a folder with compose files; a docker stats .jsonl file adds usage to the apps beside it (default: komply.yaml's sources, else the current folder)."
    )
    var paths: [String] = []

    @Option(name: [.customShort("f"), .customLong("file")], help: "A compose file; repeat to merge several files into one app.")
    var files: [String] = []

    @Option(name: .customLong("env-file"), help: "An environment file for interpolation (instead of .env).")
    var envFiles: [String] = []

    @Option(name: .customLong("profile"), help: "A profile to enable; repeatable.")
    var profiles: [String] = []

    @Option(name: .customLong("stats"), help: "A docker stats JSON-lines snapshot to attach as observed usage; repeatable.")
    var stats: [String] = []

    @Option(name: .customLong("root"), help: "Files komply reads must stay inside this folder (default: the git repository).")
    var root: String?

    /// What the source readers are asked to read.
    var sourceRequest: SourceRequest {
        SourceRequest(paths: paths, files: files, envFiles: envFiles, profiles: profiles, stats: stats, root: root)
    }
}
