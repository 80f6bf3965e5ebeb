import Foundation
import KomplyGenerate
import KomplyGit
import KomplyLint
import KomplyPredict

extension SyncGeneration {
    /// The pull request's description for the branch holding `apps` (generated under the repository
    /// folder `folder`): the policy findings and sizing card rendered here, assembled by `PullRequestBody`.
    public func pullRequestBody(apps: [String], folder: String) -> String {
        let grouped = Dictionary(uniqueKeysWithValues: self.apps.map { ($0.app, $0.files) })
        let sections = apps.map { app in
            PullRequestBody.App(
                folder: folder.isEmpty ? app : folder + "/" + app, files: grouped[app]?.count ?? 0,
                policy: findings[app].map { MarkdownReporter().render($0, context: ReportContext(rules: $0.rules)) })
        }
        let warnings = notices.map { "\($0)" }.filter { notice in apps.contains { notice.contains($0) } || apps.count == self.apps.count }
        var sizing =
            sizingProfile == "defaults"
            ? "Sized from role and runtime defaults (`--no-predict`).\n"
            : SizingCard.markdown(recommendations.filter { apps.contains(Naming.dnsLabel($0.app)) })
        // Each service's recommendation card (what `komply explain` prints) below the overview table.
        if var card {
            card.services = card.services.filter { apps.contains($0.app) }
            sizing += "\n" + ExplainMarkdownRenderer(heading: "####").render(card)
        }
        var body = PullRequestBody(version: trailers[0].value, apps: sections, warnings: warnings, sizing: sizing, trailers: trailers)
        body.failures = failures.map(\.description)
        return body.markdown
    }
}
