import Foundation
import KomplyCore
import KomplyGit
import KomplyLint

/// Lints the linted files as they are at a git revision, for `--new-only`: read through libgit2
/// (`GitRepository.contents(of:at:locations:)`), nothing checked out. A file absent at the base has no old findings.
public enum BaseRevision {
    /// The findings `linter` reports for `current`'s files at `ref`.
    public static func lint(_ current: Linter.Result, ref: String, linter: Linter) throws(LintError) -> Linter.Result {
        let repository = try open(ref: ref)
        let locations: RepositoryPaths
        do { locations = try RepositoryPaths(repository: repository) } catch {
            throw .baseUnavailable(ref: ref, reason: "\(repository.gitDirectory) is a bare repository; expected a checkout")
        }
        let contents: [(path: String, data: Data)]
        do { contents = try repository.contents(of: current.files.filter { $0 != "<stdin>" }, at: ref, locations: locations) } catch {
            throw .baseUnavailable(ref: ref, reason: error.localizedDescription)
        }
        return linter.lint(sources: contents.map { ManifestSource(file: $0.path, text: String(decoding: $0.data, as: UTF8.self)) })
    }

    /// The repository around the current folder, after checking that `ref` names a commit in it.
    public static func open(ref: String) throws(LintError) -> GitRepository {
        let repository: GitRepository
        do { repository = try GitRepository.discover(from: FileManager.default.currentDirectoryPath) } catch {
            throw .baseUnavailable(ref: ref, reason: "not inside a git repository")
        }
        do { _ = try repository.commitID(ref) } catch GitError.unknownRevision {
            throw .baseUnavailable(ref: ref, reason: "no such commit; expected a branch, tag, commit id or HEAD~N")
        } catch {
            throw .baseUnavailable(ref: ref, reason: error.localizedDescription)
        }
        return repository
    }
}
