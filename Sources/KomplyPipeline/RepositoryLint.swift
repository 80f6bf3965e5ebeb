import Foundation
import KomplyCore
import KomplyGit
import KomplyLint

/// Lints a repository's manifests as they are in the index or at a revision, for pre-commit and
/// `--staged`: every manifest of the snapshot is read as context, so cross-object rules (NetworkPolicy
/// coverage, Service selectors, PDB targets…) see the whole repository, and only the findings in the
/// named files are reported.
///
/// Files are found as `komply lint` finds them in folders (`.yaml`, `.yml`, `.json`; names starting
/// with a dot skipped). A named path the snapshot does not hold (deleted, untracked) is skipped, and
/// so is any file whose text cannot hold a Kubernetes object (no `apiVersion` and `kind`), so
/// pre-commit may pass compose files, CI configs or `tsconfig.json` without errors.
public struct RepositoryLint: Sendable {
    /// The repository.
    public var repository: GitRepository
    /// Creates a scope: `paths` as typed, or empty for every manifest.
    public init(repository: GitRepository, paths: [String]) {
        self.repository = repository
        self.paths = paths
    }

    /// Files or folders to report on as typed (relative to the current folder, or absolute inside the
    /// worktree); empty reports every manifest.
    public var paths: [String]

    /// `komply lint --staged`: lints the index of the repository around the current folder (config
    /// and rules from the index too) and reports only `paths`; with `newOnlyAgainst`, drops the
    /// findings the same paths have at that revision, read the same way.
    public static func staged(_ request: LintRequest, paths: [String], newOnlyAgainst base: String?) throws -> (
        result: Linter.Result, linter: Linter
    ) {
        let repository = try SourceSnapshot.stagedRepository()
        if let base { _ = try BaseRevision.open(ref: base) }
        let scope = RepositoryLint(repository: repository, paths: paths)
        var (result, linter) = try scope.staged { try request.makeLinter() }
        if let base { result = result.onlyNew(comparedWith: try scope.at(base, linter: linter)) }
        return (result, linter)
    }

    /// Lints the index with the linter `makeLinter` builds inside the snapshot (so `komply.yaml` and
    /// relative `--rules` folders are read from the index too); returns the result and the linter.
    public func staged(makeLinter: () throws -> Linter) throws -> (result: Linter.Result, linter: Linter) {
        let locations = try RepositoryPaths(repository: repository)
        let targets = try self.targets(locations)
        return try SourceSnapshot.run(.staged, repository: repository) { root in
            let linter = try makeLinter()
            return (Self.lint(targets, root: root, locations: locations, linter: linter), linter)
        }
    }

    /// Lints the same paths at `revision` with `linter` (the base of `--new-only`).
    public func at(_ revision: String, linter: Linter) throws -> Linter.Result {
        let locations = try RepositoryPaths(repository: repository)
        let targets = try self.targets(locations)
        return try SourceSnapshot.run(.revision(revision), repository: repository) { root in
            Self.lint(targets, root: root, locations: locations, linter: linter)
        }
    }
}

private extension RepositoryLint {
    /// The named paths as they resolve inside a snapshot: relative ones as typed (the snapshot's
    /// current folder mirrors the worktree's), absolute ones rewritten relative to the current folder.
    func targets(_ locations: RepositoryPaths) throws -> Targets {
        guard locations.currentFolder != nil else {
            throw PipelineError.outsideRepository(path: locations.current, workdir: locations.workdir, expected: "run komply inside it")
        }
        if paths.isEmpty { return Targets(paths: [locations.display("")], named: false) }
        var resolved: [String] = []
        for path in paths {
            guard let inside = locations.repositoryPath(of: path) else {
                throw PipelineError.outsideRepository(
                    path: path, workdir: locations.workdir, expected: "--staged reads the repository's index")
            }
            resolved.append(path.hasPrefix("/") ? locations.display(inside) : path)
        }
        return Targets(paths: resolved, named: true)
    }

    /// What to report on: paths as they resolve in a snapshot, and whether the user named them.
    struct Targets {
        /// The files or folders, as they resolve in the snapshot.
        var paths: [String]
        /// Whether the user named them (else: every manifest).
        var named: Bool
    }

    /// Loads the targets and every other manifest of the snapshot at `root`, lints them together and
    /// keeps what concerns the targets. Runs with the current folder inside the snapshot.
    static func lint(_ targets: Targets, root: String, locations: RepositoryPaths, linter: Linter) -> Linter.Result {
        let here = locations.currentFolder ?? ""
        var reported: [String] = []
        var seen = Set<String>()
        for target in targets.paths where FileManager.default.fileExists(atPath: target) {
            for file in (try? ManifestLoader.expand([target])) ?? [] {
                let key = Paths.normalized(here.isEmpty ? file : here + "/" + file)
                // Files found for "everything" are named relative to the current folder (`a.yaml`, not `../sub/a.yaml`).
                if seen.insert(key).inserted, mayHoldObjects(file) { reported.append(targets.named ? file : locations.display(key)) }
            }
        }
        var context: [String] = []
        for file in (try? ManifestLoader.expand([root])) ?? [] {
            guard let key = Paths.relative(file, to: root), seen.insert(key).inserted, mayHoldObjects(file) else { continue }
            context.append(file)
        }
        // Overlays render as `komply lint` renders them; their findings sit on the overlay's own lines.
        return OverlayLint.adding(to: linter.lint(ManifestLoader.load(files: reported + context)), linter: linter)
            .scoped(to: Set(reported))
    }

    /// Whether the file's text names both `apiVersion` and `kind`, without which no document in it
    /// is a Kubernetes object (unreadable files are left to the loader to report).
    static func mayHoldObjects(_ file: String) -> Bool {
        // A named pipe would block the read; the loader refuses it by name.
        guard YAMLLoader.specialFileKind(file) == nil else { return true }
        guard let data = FileManager.default.contents(atPath: file) else { return true }
        return data.range(of: Data("apiVersion".utf8)) != nil && data.range(of: Data("kind".utf8)) != nil
    }
}
