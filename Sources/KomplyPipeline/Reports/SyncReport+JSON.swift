import KomplyCore

extension SyncReport {
    /// `komply sync --format json`: `{"version":1,"branches":[{"branch","apps","commit","removed","pushed","remote",
    /// "pullRequest":{"url","created"}}],"warnings":[…]}` (docs/gitops.md).
    public var json: String {
        let report = self
        let branches: [ValueTree] = report.branches.map { branch in
            .members([
                ("branch", .string(branch.name)), ("apps", .array(branch.apps.map(ValueTree.string))),
                ("commit", branch.commit.map(ValueTree.string) ?? .null), ("removed", .array(branch.removed.map(ValueTree.string))),
                ("pushed", .bool(branch.pushed)), ("remote", branch.remote.map(ValueTree.string) ?? .null),
                (
                    "pullRequest",
                    branch.pullRequest.map { url in
                        .members([("url", .string(url)), ("created", .bool(branch.pullRequestCreated ?? false))])
                    } ?? .null
                ),
            ])
        }
        return JSONEmitter.emit(
            .members([
                ("version", .int(1)), ("branches", .array(branches)),
                ("failures", .array(report.failures.map { .members([("app", .string($0.app)), ("message", .string($0.message))]) })),
                ("warnings", .array(report.notices.map(\.jsonValue))),
            ]))
    }
}
