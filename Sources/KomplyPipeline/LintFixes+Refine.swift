import Foundation
import KomplyCore
import KomplyLint
import KomplyPredict
import KomplyRefine

extension LintFixes {
    /// What `komply lint --fix` writes after refinement: the changed files and what the model did.
    public struct Refined: Sendable {
        /// The deterministic changes with the accepted refinements on top (one change per file).
        public var changes: [Fixer.Change]
        /// Per workload, what was accepted and rejected; nil when refinement is off.
        public var report: RefinementReport?
    }

    /// The annotation that marks a refined workload; a workload carrying it is not asked about again.
    public static let refinedAnnotation = "komply.dev/refined"

    /// `changes` (the deterministic fixes of `result`) with every workload of the linted files, as fixed, refined by the
    /// LLM `options` and komply.yaml's `refine` section name, through the guarded path `komply generate` takes
    /// (allow-list and bounds, re-lint with no new finding, replay cache, `--llm-offline`, `--llm-refresh`).
    ///
    /// The draft of a workload is its document as the file holds it after the deterministic fixes, with the
    /// HorizontalPodAutoscaler scaling it and the ConfigMaps its containers read (`envFrom`) from the same file.
    /// The sizing is komply predict's recommendation per container (history when the workload matches an
    /// app and container recorded there, else priors), as `--fix` sizes missing resources; none with
    /// `sizing` nil (`--no-predict`), when the file's own values are the only reference. Accepted operations
    /// are written as line edits (`Fixer.applying`), all of a workload's or none; the workload is annotated
    /// `komply.dev/refined`, and a workload already carrying that annotation is left alone, so a second run
    /// asks nothing and changes nothing. Unchanged without a provider.
    public static func refined(
        _ changes: [Fixer.Change], result: Linter.Result, linter: Linter, request: LintRequest, options: LLMOptions, sizing: Sizing?,
        transport: any KomplyRefine.HTTPTransport = AsyncHTTPTransport(),
        sleep: @escaping @Sendable (Double) async -> Void = { seconds in try? await Task.sleep(for: .seconds(seconds)) }
    ) async throws -> Refined {
        let config = try request.config ?? ProjectConfig.load(path: request.configPath, checkRuleIDs: false)
        let refineConfig = try config.map { file throws in try RefineConfig.read(file) } ?? RefineConfig()
        guard let settings = try RefineSettings.resolve(options, config: refineConfig, configDirectory: config?.directory ?? ".") else {
            return Refined(changes: changes, report: nil)
        }
        let rules = linter.active.map { PolicyRuleSummary(id: $0.rule.id, meaning: $0.rule.description) }
        let prompts = PromptBuilder(rules: rules, schemaInPrompt: settings.provider == .openai && settings.dialect == .none)
        let refiner = Refiner(
            settings: settings, client: LLMClient(settings: settings, transport: transport, sleep: sleep), prompts: prompts)
        let configured = try config.map(SizingConfig.read)
        let recommender = try PredictInput.recommender(
            config: config, history: sizing?.history, tier: sizing?.tier, cpuLimit: configured?.cpuLimit ?? .ratio(2))

        // The texts as the deterministic fixes leave them; standard input has no file to write.
        var texts = result.texts
        for change in changes { texts[change.file] = change.after }
        let baseline = findingKeys(linter, texts)
        var report = RefinementReport(settings: settings.summary, services: [])
        var unreachable = false
        for file in texts.keys.sorted() where file != "<stdin>" {
            guard var text = texts[file], let nodes = try? YAMLLoader.parse(text, file: file) else { continue }
            let documents = nodes.map { $0.valueTree() }
            for (index, node) in nodes.enumerated() where WorkloadKind(rawValue: documents[index]["kind"]?.stringValue ?? "") != nil {
                let object = KubeObject(node: node, documentIndex: index)
                let members = [index] + related(to: documents[index], in: documents)
                var draft = ServiceDraft(app: object.effectiveNamespace, service: object.name, documents: members.map { documents[$0] })
                if object.annotations[refinedAnnotation] != nil {
                    let skipped = ServiceRefinement(
                        app: draft.app, service: draft.service, file: file,
                        problem: "already refined (\(refinedAnnotation)); remove the annotation to refine it again")
                    report.services.append(skipped)
                    continue
                }
                var features: [WorkloadFeatures] = []
                for container in object.containers([.container]) {
                    let feature = PredictedFixes.features(of: container, in: object)
                    features.append(feature)
                    if sizing != nil { draft.sizing[container.name] = recommender.recommend(feature) }
                }
                let examples = features.first.map { recommender.similarDeployments(to: $0, limit: 5).map(\.summary) } ?? []
                var outcome = try await refiner.refine(draft, service: nil, examples: examples, skipServer: unreachable)
                outcome.file = file
                if outcome.serverUnusable { unreachable = true }
                guard !outcome.review.accepted.isEmpty else {
                    report.services.append(outcome)
                    continue
                }
                let current = text
                func edited(_ review: PatchReview) throws(Fixer.Refusal) -> String {
                    guard !review.accepted.isEmpty else { return current }
                    var edits = review.accepted.map { change in
                        Fixer.PathEdit(document: members[change.document], path: change.path.map(pathStep), value: change.value)
                    }
                    let paths = review.accepted.map(\.operation.path).joined(separator: ", ")
                    edits.append(
                        Fixer.PathEdit(
                            document: index, path: [.key("metadata"), .key("annotations"), .key(refinedAnnotation)],
                            value: .string("\(settings.provider.rawValue) \(settings.model) changed \(paths)")))
                    return try Fixer.applying(edits, to: current, file: file)
                }
                func newFindings(_ candidate: String) -> [String] {
                    var trial = texts
                    trial[file] = candidate
                    return findingKeys(linter, trial).subtracting(baseline).sorted()
                }
                do throws(Fixer.Refusal) {
                    var candidate = try edited(outcome.review)
                    if !newFindings(candidate).isEmpty {
                        // One change at a time, as generate does: a change that brings a finding is dropped.
                        outcome.review = try outcome.review.keepingChanges { (trial: PatchReview) throws(Fixer.Refusal) -> [String] in
                            newFindings(try edited(trial))
                        }
                        candidate = try edited(outcome.review)
                    }
                    text = candidate
                } catch {
                    let rejected = outcome.review.accepted.map {
                        PatchReview.Rejection(operation: $0.operation.summary, reason: "\(file) cannot be edited safely: \(error.reason)")
                    }
                    outcome.review = PatchReview(accepted: [], rejected: outcome.review.rejected + rejected)
                }
                texts[file] = text
                report.services.append(outcome)
            }
        }
        return Refined(changes: merged(changes, texts: texts, original: result.texts, report: report), report: report)
    }
}

private extension LintFixes {
    /// The documents of the same file a workload's draft includes: the HPA scaling it, the ConfigMaps it reads.
    static func related(to workload: ValueTree, in documents: [ValueTree]) -> [Int] {
        let name = at(workload, "metadata", "name")?.stringValue
        let kind = workload["kind"]?.stringValue
        let path = (WorkloadKind(rawValue: kind ?? "")?.podTemplatePath ?? ["spec", "template", "spec"]) + ["containers"]
        var maps: Set<String> = []
        for container in items(at(workload, path)) {
            for source in items(container["envFrom"]) {
                if let map = at(source, "configMapRef", "name")?.stringValue { maps.insert(map) }
            }
        }
        return documents.indices.filter { index in
            let document = documents[index]
            switch document["kind"]?.stringValue {
            case "HorizontalPodAutoscaler"?:
                return at(document, "spec", "scaleTargetRef", "name")?.stringValue == name
                    && at(document, "spec", "scaleTargetRef", "kind")?.stringValue == kind
            case "ConfigMap"?:
                return at(document, "metadata", "name")?.stringValue.map(maps.contains) ?? false
            default:
                return false
            }
        }
    }

    /// A list's items; none for anything else.
    static func items(_ tree: ValueTree?) -> [ValueTree] {
        if case .array(let items)? = tree { return items }
        return []
    }

    /// The value below `keys`, nil when one is missing.
    static func at(_ tree: ValueTree, _ keys: String...) -> ValueTree? { at(tree, keys) }

    static func at(_ tree: ValueTree, _ keys: [String]) -> ValueTree? {
        var current: ValueTree? = tree
        for key in keys { current = current?[key] }
        return current
    }

    static func pathStep(_ step: TreeStep) -> Fixer.PathStep {
        switch step {
        case .key(let key): return .key(key)
        case .index(let index): return .index(index)
        case .append: return .append
        }
    }

    /// What the lint pack finds in `texts`, as keys that do not move when lines shift: rule, file, object, container.
    static func findingKeys(_ linter: Linter, _ texts: [String: String]) -> Set<String> {
        let sources = texts.keys.sorted().map { ManifestSource(file: $0, text: texts[$0] ?? "") }
        let result = linter.lint(sources: sources)
        var keys = Set(
            result.findings.map {
                "\($0.ruleID) in \($0.location.file) \($0.object.kind) \($0.object.name)\($0.container.map { " container \($0)" } ?? "")"
            })
        for problem in result.problems { keys.insert("unreadable: \(problem.localizedDescription)") }
        return keys
    }

    /// One change per file: the deterministic change with the refinements on top, or a refinement alone.
    static func merged(_ changes: [Fixer.Change], texts: [String: String], original: [String: String], report: RefinementReport)
        -> [Fixer.Change]
    {
        var merged: [Fixer.Change] = []
        var seen: Set<String> = []
        for var change in changes {
            seen.insert(change.file)
            if let text = texts[change.file], text != change.after {
                change.after = text
                change.applied += summaries(for: change.file, report)
            }
            merged.append(change)
        }
        for file in texts.keys.sorted() where !seen.contains(file) {
            guard let before = original[file], let after = texts[file], after != before else { continue }
            merged.append(Fixer.Change(file: file, before: before, after: after, applied: summaries(for: file, report)))
        }
        return merged.sorted { $0.file < $1.file }
    }

    /// `refine shop/api: replace /replicas = 3` per accepted change in `file`.
    static func summaries(for file: String, _ report: RefinementReport) -> [String] {
        report.services.filter { $0.file == file }.flatMap { service in
            service.review.accepted.map { "refine \(service.app)/\(service.service): \($0.operation.summary)" }
        }
    }
}
