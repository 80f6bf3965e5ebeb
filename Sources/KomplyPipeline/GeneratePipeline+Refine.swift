import Foundation
import KomplyCore
import KomplyGenerate
import KomplyLint
import KomplyPredict
import KomplyRefine

extension GeneratePipeline {
    /// The pipeline with each service's base file refined by the LLM `options` and komply.yaml's `refine`
    /// section name: the model proposes, the validator keeps what is allow-listed and in bounds, and the lint
    /// pack re-runs on the patched output; a change that brings any new finding is dropped, so the result is
    /// never less compliant than the draft. Unchanged without a provider; a server that is down or answers
    /// nonsense leaves the draft with a notice. Throws for bad `refine` settings and `--llm-offline` misses.
    /// `history` is the sizing history (as `--history` names it) whose similar services are the prompt's examples.
    public func refined(
        _ options: LLMOptions, templates: String? = nil, history: String? = nil,
        transport: any KomplyRefine.HTTPTransport = AsyncHTTPTransport(),
        sleep: @escaping @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(for: .seconds(seconds)) }
    ) async throws -> GeneratePipeline {
        let config = try plan.config.map { file throws in try RefineConfig.read(file) } ?? RefineConfig()
        guard let settings = try RefineSettings.resolve(options, config: config, configDirectory: plan.config?.directory ?? ".") else {
            return self
        }
        let linter = try Linter(config: try plan.config.map { file throws in try PolicyConfig.read(file) } ?? PolicyConfig())
        let rules = linter.active.map { PolicyRuleSummary(id: $0.rule.id, meaning: $0.rule.description) }
        let prompts = PromptBuilder(
            templates: try PromptTemplates.overriding(with: templates), rules: rules,
            schemaInPrompt: settings.provider == .openai && settings.dialect == .none)
        let refiner = Refiner(
            settings: settings, client: LLMClient(settings: settings, transport: transport, sleep: sleep), prompts: prompts)
        // 3–5 similar past deployments per service (none without a history file).
        let examples = try PredictInput.recommender(config: plan.config, history: history)
        var pipeline = self
        var report = RefinementReport(settings: settings.summary, services: [])
        let baseline = Self.findingKeys(linter, pipeline.result.files)
        var unreachable = false
        for project in projects.sorted(by: { $0.name < $1.name }) {
            let app = Naming.dnsLabel(project.name)
            for service in project.services.sorted(by: { $0.name < $1.name }) {
                let path = "\(app)/base/\(Naming.dnsLabel(service.name)).yaml"
                guard let index = pipeline.result.files.firstIndex(where: { $0.path == path }) else { continue }
                let original = pipeline.result.files[index].contents
                let (header, documents) = try Self.split(original, file: path)
                var draft = ServiceDraft(app: app, service: service.name, documents: documents)
                for recommendation in recommendations
                where Naming.dnsLabel(recommendation.app) == app && recommendation.service == service.name {
                    draft.sizing[recommendation.container] = recommendation
                }
                if let observed = service.komply.observed {
                    draft.peakCPUCores = observed.cpuCores
                    draft.peakMemoryBytes = observed.memoryBytes
                }
                let similar = examples.similarDeployments(to: PredictInput.features(of: service, app: project.name), limit: 5)
                var outcome = try await refiner.refine(draft, service: service, examples: similar.map(\.summary), skipServer: unreachable)
                if outcome.serverUnusable { unreachable = true }
                guard !outcome.review.accepted.isEmpty else {
                    report.services.append(outcome)
                    continue
                }
                // Re-lint the whole output with the change: a finding the draft did not have drops it.
                func text(_ review: PatchReview) -> String {
                    guard !review.accepted.isEmpty else { return original }
                    return header + YAMLEmitter.emit(documents: Self.marked(review.applied(to: documents), review, draft, settings))
                }
                func newFindings(_ review: PatchReview) -> [String] {
                    var files = pipeline.result.files
                    files[index].contents = text(review)
                    return Self.findingKeys(linter, files).subtracting(baseline).sorted()
                }
                if !newFindings(outcome.review).isEmpty { outcome.review = outcome.review.keepingChanges(thatAddNoFinding: newFindings) }
                pipeline.result.files[index].contents = text(outcome.review)
                report.services.append(outcome)
            }
        }
        pipeline.refinement = report
        return pipeline
    }
}

private extension GeneratePipeline {
    /// The file's leading comment lines and its documents.
    static func split(_ text: String, file: String) throws -> (header: String, documents: [ValueTree]) {
        var header = ""
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            guard line.hasPrefix("#") else { break }
            header += line + "\n"
        }
        let documents = try YAMLLoader.parse(text, file: file).map { $0.valueTree() }
        return (header, documents)
    }

    /// The documents with the workload annotated `komply.dev/refined`: which model changed which paths.
    static func marked(_ documents: [ValueTree], _ review: PatchReview, _ draft: ServiceDraft, _ settings: RefineSettings) -> [ValueTree] {
        guard let workload = draft.workloadIndex else { return documents }
        var documents = documents
        let paths = review.accepted.map(\.operation.path).joined(separator: ", ")
        documents[workload] = documents[workload].settingAnnotation(
            "komply.dev/refined", "\(settings.provider.rawValue) \(settings.model) changed \(paths)")
        return documents
    }

    /// What the lint pack finds in `files`, as keys that do not move when lines shift: rule, file, object, container.
    static func findingKeys(_ linter: Linter, _ files: [GeneratedFile]) -> Set<String> {
        let sources = files.filter { $0.path.hasSuffix(".yaml") }.map { ManifestSource(file: $0.path, text: $0.contents) }
        let result = linter.lint(sources: sources)
        var keys = Set(
            result.findings.map {
                "\($0.ruleID) in \($0.location.file) \($0.object.kind) \($0.object.name)\($0.container.map { " container \($0)" } ?? "")"
            })
        for problem in result.problems { keys.insert("unreadable: \(problem.localizedDescription)") }
        return keys
    }
}

private extension ValueTree {
    /// A copy with `metadata.annotations[key] = value`.
    func settingAnnotation(_ key: String, _ value: String) -> ValueTree {
        guard case .object(var members) = self, let index = members.firstIndex(where: { $0.key == "metadata" }),
            case .object(var metadata) = members[index].value
        else { return self }
        var annotations = metadata.first(where: { $0.key == "annotations" })?.value.objectMembers ?? []
        annotations.removeAll { $0.key == key }
        annotations.append(Member(key: key, value: .string(value)))
        if let at = metadata.firstIndex(where: { $0.key == "annotations" }) {
            metadata[at].value = .object(annotations)
        } else {
            metadata.append(Member(key: "annotations", value: .object(annotations)))
        }
        members[index].value = .object(metadata)
        return .object(members)
    }
}

extension PatchReview {
    /// The accepted changes taken one at a time, each kept only when `newFindings` of the review so far plus it is
    /// empty; a change that brings a finding is rejected naming it. What `generate` and `lint --fix` both apply, so
    /// refinement is never less compliant than the draft.
    func keepingChanges<Failure: Error>(thatAddNoFinding newFindings: (PatchReview) throws(Failure) -> [String]) throws(Failure)
        -> PatchReview
    {
        var kept = PatchReview(accepted: [], rejected: rejected)
        for change in accepted {
            var trial = kept
            trial.accepted.append(change)
            let fresh = try newFindings(trial)
            if fresh.isEmpty {
                kept = trial
            } else {
                kept.rejected.append(
                    Rejection(operation: change.operation.summary, reason: "the lint pack would report \(fresh.joined(separator: "; "))"))
            }
        }
        return kept
    }
}
