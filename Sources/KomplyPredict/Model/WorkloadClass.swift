import Foundation

/// How komply classified a container (what `komply generate` labels and explains it as), so sizing starts
/// from the same decision instead of guessing its own from the image name.
public struct WorkloadClass: Sendable, Hashable {
    /// `web`, `api`, `worker`, `database`, `cache`, `queue`, `proxy`, `batch`.
    public var role: String
    /// `jvm`, `node`, `python`, `go`, `ruby`, `php`, `dotnet`; nil when the classification names none of these.
    public var runtime: String?
    /// The known image family the classification used (`postgres`, `node`; for a `build:` service, its Dockerfile's
    /// base), nil for an unknown image.
    public var family: String?
    /// GPUs the container reserves, nil for none.
    public var gpus: Int?
    /// Why, as the classification says it (`runtime node (image node (FROM node:lts in web/Dockerfile:1))`).
    public var reason: String

    /// Creates a classification.
    public init(role: String, runtime: String?, family: String?, gpus: Int? = nil, reason: String) {
        self.role = role
        self.runtime = runtime
        self.family = family
        self.gpus = gpus
        self.reason = reason
    }
}
