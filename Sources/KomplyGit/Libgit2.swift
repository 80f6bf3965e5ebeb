import CGit2
import CGit2Shim
import Foundation

/// Process-wide libgit2 set-up and the checks every call goes through.
public enum Libgit2 {
    /// libgit2's version (`1.5.1`).
    public static var version: String {
        initialize()
        var (major, minor, patch): (Int32, Int32, Int32) = (0, 0, 0)
        git_libgit2_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    /// Turns libgit2's repository-owner check (git's `safe.directory`) on or off for this process;
    /// tests that build repositories owned by another user turn it off.
    public static func setOwnerValidation(_ enabled: Bool) {
        initialize()
        _ = komply_git_set_owner_validation(enabled ? 1 : 0)
    }

    /// Whether the owner check is on.
    public static var ownerValidation: Bool {
        initialize()
        return komply_git_owner_validation() != 0
    }

    /// Initializes libgit2 once (its own reference count makes repeated calls cheap and safe).
    static func initialize() {
        _ = ready
    }

    private static let ready: Bool = {
        git_libgit2_init()
        _ = komply_git_set_user_agent("komply")
        return true
    }()
}

/// Throws `GitError.libgit2` with libgit2's last message when `code` is negative.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    guard code < 0 else { return code }
    throw GitError.libgit2(operation: operation(), code: code, message: lastErrorMessage())
}

/// libgit2's message for the last failure on this thread.
func lastErrorMessage() -> String {
    guard let error = git_error_last(), let message = error.pointee.message else { return "unknown error" }
    return String(cString: message)
}

/// The hexadecimal form of an object id.
func hex(_ oid: UnsafePointer<git_oid>) -> String {
    var buffer = [CChar](repeating: 0, count: Int(GIT_OID_HEXSZ) + 1)
    git_oid_tostr(&buffer, buffer.count, oid)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Parses a hexadecimal object id.
func oid(_ text: String) throws -> git_oid {
    var id = git_oid()
    try check(git_oid_fromstr(&id, text), "parse object id \(text)")
    return id
}
