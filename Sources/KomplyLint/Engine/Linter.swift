import Foundation
import KomplyCore

/// The rule engine: runs active rules over every object of a run and applies config and suppressions.
///
/// The generator lints its output in memory with
/// `try Linter(config: config).lint(sources: [ManifestSource(file:text:)])`.
public struct Linter: Sendable {
    /// A rule ready to run: effective severity and its instantiated check.
    public struct ActiveRule: Sendable {
        /// The rule.
        public let rule: Rule
        /// The severity after config overrides.
        public let severity: Severity
        let check: AnyCheck
    }

    /// A finding silenced by an annotation or an exemption, with the reason (reports count them).
    public struct Suppressed: Sendable, Hashable {
        /// The silenced finding.
        public var finding: Finding
        /// The recorded reason.
        public var reason: String
    }

    /// What one run found.
    public struct Result: Sendable {
        /// Findings in report order.
        public var findings: [Finding]
        /// Findings silenced with a reason.
        public var suppressed: [Suppressed]
        /// Files that could not be read or parsed (the rest were still linted).
        public var problems: [LintError]
        /// Files linted.
        public var files: [String]
        /// Each file's text, for excerpts and fixes.
        public var texts: [String: String]
        /// Number of objects linted.
        public var objectCount: Int
        /// The objects linted, in input order. (Kept here also so that they are freed with the
        /// result: a large run's object trees take tens of milliseconds to free, which `komply lint`
        /// skips by exiting.)
        public var objects: [KubeObject]
        /// The rules that ran.
        public var rules: [Rule]
        /// Where the time went, when the run was timed.
        public var timings: LintTimings?
    }

    /// Every rule known to this run (active or not), by id.
    public let allRules: [Rule]
    /// The rules that run.
    public let active: [ActiveRule]
    /// The config.
    public let config: PolicyConfig
    /// Settings checks consult.
    public let settings: LintSettings
    /// Today (`YYYY-MM-DD`) for suppression expiry.
    public let today: String

    /// Builds an engine from the built-in pack plus `extraRules` (which replace built-ins with the same id).
    public init(
        config: PolicyConfig = PolicyConfig(), extraRules: [Rule] = [], only: [String]? = nil,
        registry: CheckRegistry = .builtin, today: Date = Date()
    ) throws(LintError) {
        var rules = try RuleLoader.builtin()
        // Folders komply.yaml names are read only inside its repository (a snapshot's copy under --ref).
        let root = config.file.flatMap { RepositoryRoot.enclosing(Paths.normalized(($0 as NSString).deletingLastPathComponent)) }
        for directory in config.rulesDirectories {
            rules = try Self.merge(rules, try RuleLoader.load(directory: directory, confinedTo: root))
        }
        rules = try Self.merge(rules, extraRules)
        try self.init(rules: rules, config: config, only: only, registry: registry, today: today)
    }

    /// Builds an engine from an explicit rule list.
    public init(
        rules: [Rule], config: PolicyConfig = PolicyConfig(), only: [String]? = nil, registry: CheckRegistry = .builtin,
        today: Date = Date()
    ) throws(LintError) {
        let ids = Set(rules.map(\.id))
        try config.validate(against: ids)
        for id in only ?? [] where !ids.contains(id) {
            throw .unknownRule(id, location: nil, suggestion: Suggestion.closest(to: id, among: ids))
        }
        // Instantiating a check decodes its parameters. Rules are independent, so they are decoded on
        // all cores and taken in id order: the first broken rule in that order is the one reported.
        let sorted = rules.sorted(by: { $0.id < $1.id })
        let instantiated = Slots<Swift.Result<ActiveRule, LintError>?>(count: sorted.count, initial: nil)
        DispatchQueue.concurrentPerform(iterations: sorted.count) { i in
            let rule = sorted[i]
            let setting = config.rules[rule.id]
            let enabled = only.map { $0.contains(rule.id) } ?? (setting?.enabled ?? rule.enabledByDefault)
            guard enabled else { return }
            let params = Self.mergeParams(rule.params, setting?.params)
            do throws(LintError) {
                instantiated[i] = .success(
                    ActiveRule(
                        rule: rule, severity: setting?.severity ?? rule.severity, check: try registry.instantiate(rule, params: params)))
            } catch {
                instantiated[i] = .failure(error)
            }
        }
        var active: [ActiveRule] = []
        for outcome in instantiated.values {
            switch outcome {
            case .success(let rule)?: active.append(rule)
            case .failure(let error)?: throw error
            case nil: continue
            }
        }
        self.allRules = rules.sorted { $0.id < $1.id }
        self.active = active
        self.config = config
        self.settings = LintSettings(
            kubernetesVersion: config.kubernetesVersion ?? LintSettings.defaultKubernetesVersion,
            nonSuppressible: config.nonSuppressible, knownRules: ids)
        self.today = Self.dayString(today)
    }

    /// Lints files and folders (`-` reads standard input); `timed` records where the time went.
    public func lint(paths: [String], stdin: (@Sendable () -> Data)? = nil, timed: Bool = false) throws(LintError) -> Result {
        try Self.lint(paths: paths, stdin: stdin, engine: Engine(self, timed: timed)).result
    }

    /// Lints manifests held in memory.
    public func lint(sources: [ManifestSource]) -> Result {
        lint(ManifestLoader.load(sources: sources))
    }

    /// Lints already-parsed objects.
    public func lint(objects: [KubeObject]) -> Result {
        var loaded = ManifestLoader.Loaded()
        loaded.objects = objects
        loaded.files = Array(Set(objects.map(\.file))).sorted()
        return lint(loaded)
    }

    /// Lints what a loader read; with `timings`, adds the phases and rules of this run to them.
    public func lint(_ loaded: ManifestLoader.Loaded, timings: LintTimings? = nil) -> Result {
        let count = loaded.objects.count
        // Contiguous chunks, several per core, so the two halves of a skewed input still balance.
        let chunk = max(1, count / 16)
        let pending = stride(from: 0, to: count, by: chunk).map { $0..<min(count, $0 + chunk) }
        return finish(loaded, own: [], pending: pending, plan: Plan(self, timed: timings != nil), timings: timings)
    }

    /// Reads, parses and lints files in one pass: each worker parses a chunk of files and runs the
    /// single-object rules on their objects at once, so no core waits at a boundary between reading
    /// and the rules. The rules (`engine`) may still be loading on another thread while the first
    /// files are read; a config or rule error is thrown before any error in the paths, as when the
    /// engine is built first.
    static func lint(paths: [String], stdin: (@Sendable () -> Data)?, engine: Engine) throws(LintError) -> (linter: Linter, result: Result)
    {
        let start = LintTimings.Mark.now()
        let files: [String]
        do throws(LintError) {
            files = try ManifestLoader.expand(paths)
        } catch {
            _ = try engine.get()
            throw error
        }
        // Chunks of files, several per core. The last eighth keep their rules for later: those then
        // run while one worker builds the index (which needs every object), so no core waits for it.
        let chunk = max(1, files.count / 32)
        let chunks = (files.count + chunk - 1) / chunk
        let deferred = chunks / 8
        let parts = Slots<(outcomes: [ManifestLoader.FileOutcome], own: Findings?)>(count: chunks, initial: ([], nil))
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            let outcomes = files[(c * chunk)..<min(files.count, (c + 1) * chunk)].map { ManifestLoader.read($0, stdin: stdin) }
            var own: Findings?
            if c < chunks - deferred, let (linter, plan) = try? engine.get() {
                own = linter.evaluate(ArraySlice(outcomes.flatMap(\.objects)), phase: \.own, plan: plan, index: nil)
            }
            parts[c] = (outcomes, own)
        }
        let (linter, plan) = try engine.get()
        var loaded = ManifestLoader.Loaded()
        var own: [Findings] = []
        var pending: [Range<Int>] = []
        for part in parts.values {
            let first = loaded.objects.count
            loaded.append(part.outcomes)
            if let found = part.own {
                own.append(found)
            } else if loaded.objects.count > first {
                pending.append(first..<loaded.objects.count)
            }
        }
        var timings = plan.timed ? LintTimings() : nil
        timings?.phase("read and parse, rules on each object", since: start)
        return (linter, linter.finish(loaded, own: own, pending: pending, plan: plan, timings: timings))
    }

    /// The rest of a run once every object is read: the index, built by one worker while the others
    /// run the single-object rules on the `pending` objects; then the rules that read the index; then
    /// report order. `own` holds the single-object findings of the objects before `pending`, in order.
    func finish(_ loaded: ManifestLoader.Loaded, own: [Findings], pending: [Range<Int>], plan: Plan, timings: LintTimings?) -> Result {
        var timings = timings
        var start = LintTimings.Mark.now()
        let objects = loaded.objects
        let built = Slots<ObjectIndex?>(count: 1, initial: nil)
        let ownParts = Slots<Findings>(count: pending.count, initial: Findings())
        DispatchQueue.concurrentPerform(iterations: pending.count + 1) { c in
            // Only when some rule reads it (`--rule` runs often have none).
            guard c > 0 else { return built[0] = plan.readsIndex ? ObjectIndex(objects) : nil }
            ownParts[c - 1] = evaluate(objects[pending[c - 1]], phase: \.own, plan: plan, index: nil)
        }
        let index = built[0]
        timings?.phase("index, rules on the rest", since: start)
        start = LintTimings.Mark.now()
        let chunk = max(1, objects.count / 16)
        let chunks = plan.readsIndex ? (objects.count + chunk - 1) / chunk : 0
        let crossParts = Slots<Findings>(count: chunks, initial: Findings())
        DispatchQueue.concurrentPerform(iterations: chunks) { c in
            crossParts[c] = evaluate(
                objects[(c * chunk)..<min(objects.count, (c + 1) * chunk)], phase: \.cross, plan: plan, index: index)
        }
        // Own-object findings first: findings of one rule then stay in object order, as report order needs.
        let parts = own + ownParts.values + crossParts.values
        timings?.phase("rules across objects", since: start)
        start = LintTimings.Mark.now()
        let findings = Findings.inReportOrder(parts)
        timings?.phase("sort", since: start)
        timings?.rules = plan.steps.indices.map { r in
            LintTimings.RuleTime(
                id: plan.steps[r].rule.id, nanoseconds: parts.reduce(0) { $0 + ($1.nanoseconds.isEmpty ? 0 : $1.nanoseconds[r]) },
                objects: parts.reduce(0) { $0 + ($1.calls.isEmpty ? 0 : $1.calls[r]) },
                findings: parts.reduce(0) { $0 + ($1.ruleFindings.isEmpty ? 0 : $1.ruleFindings[r]) })
        }
        return Result(
            findings: findings, suppressed: parts.flatMap(\.suppressed), problems: loaded.problems, files: loaded.files,
            texts: loaded.texts, objectCount: objects.count, objects: objects, rules: active.map(\.rule), timings: timings)
    }
}

extension Linter {
    /// The rules of a run with their plan, possibly still being built on another thread.
    final class Engine: Sendable {
        private let group = DispatchGroup()
        private let built = Slots<Swift.Result<(linter: Linter, plan: Plan), LintError>?>(count: 1, initial: nil)

        /// Starts building the rules on another thread.
        ///
        /// On a thread of its own, not a Dispatch queue: the workers that wait for the rules occupy
        /// Dispatch's threads, and with one CPU the queued build got none until Dispatch noticed
        /// them blocked, about a second later.
        init(timed: Bool, build: @escaping @Sendable () throws(LintError) -> Linter) {
            group.enter()
            let thread = Thread { [built, group] in
                built[0] = Swift.Result { () throws(LintError) -> (linter: Linter, plan: Plan) in
                    let linter = try build()
                    return (linter, Plan(linter, timed: timed))
                }
                group.leave()
            }
            thread.start()
        }

        /// Rules already built.
        init(_ linter: Linter, timed: Bool) { built[0] = .success((linter, Plan(linter, timed: timed))) }

        /// The rules, once built (waits until then).
        func get() throws(LintError) -> (linter: Linter, plan: Plan) {
            group.wait()
            return try built[0]!.get()
        }
    }
}

extension Linter {
    /// What one run needs per rule, prepared once: shared read-only by the workers, so the hot loop
    /// copies no `Rule` or `CheckContext` (copies of shared values cost reference counting that the
    /// cores contend for).
    final class Plan: Sendable {
        /// One active rule, ready to run.
        final class Step: Sendable {
            let rule: Rule
            let severity: Severity
            let check: AnyCheck
            /// False for rules that config marks non-suppressible and for the suppression audits.
            let suppressible: Bool

            init(_ active: ActiveRule, suppressible: Bool) {
                rule = active.rule
                severity = active.severity
                check = active.check
                self.suppressible = suppressible
            }
        }

        let steps: [Step]
        let settings: LintSettings
        let today: String
        /// Each step's check, unretained (`steps` keeps them alive): calling them for every object
        /// then touches no reference count that the workers would contend for.
        let runners: [Unmanaged<CheckBox>]
        /// Each step's rank in rule id order (equal ids, equal ranks), for sorting findings.
        let ruleRanks: [Int]
        /// For each active rule: whether its check reads the index, needs a pod spec or a workload,
        /// and its scope.
        private let selection: [(readsIndex: Bool, needsPodSpec: Bool, needsWorkload: Bool, scope: Rule.Scope)]
        /// True when each check's time is measured (`--timings`).
        let timed: Bool
        /// True when some active rule reads the index.
        let readsIndex: Bool

        /// The step indices of the rules that apply to one kind of object, split into those that read
        /// other objects (`cross`) and the rest (`own`).
        struct RuleSet {
            let own: [Int]
            let cross: [Int]
        }

        init(_ linter: Linter, timed: Bool = false) {
            self.timed = timed
            steps = linter.active.map { active in
                Step(
                    active,
                    suppressible: !linter.settings.nonSuppressible.contains(active.rule.id) && !Linter.auditRules.contains(active.rule.id))
            }
            readsIndex = linter.active.contains { $0.check.readsIndex }
            selection = linter.active.map { ($0.check.readsIndex, $0.check.needsPodSpec, $0.check.needsWorkload, $0.rule.scope) }
            settings = linter.settings
            today = linter.today
            runners = steps.map { Unmanaged.passUnretained($0.check.box) }
            // `active` is sorted by rule id.
            var ranks: [Int] = []
            for (i, active) in linter.active.enumerated() {
                ranks.append(i > 0 && linter.active[i - 1].rule.id == active.rule.id ? ranks[i - 1] : i)
            }
            ruleRanks = ranks
        }

        /// The rules for `object`. Scope depends only on kind and API group, so it is decided once per
        /// kind and apiVersion (and whether the object has a pod spec or runs pods: checks that need
        /// one are not called without) and kept in `known`, which each worker has its own of.
        func rules(for object: KubeObject, known: inout [ScopeKey: RuleSet]) -> RuleSet {
            let hasPodSpec = object.hasPodSpec
            let isWorkload = object.isWorkload
            let key = ScopeKey(kind: object.kind, apiVersion: object.reference.apiVersion, hasPodSpec: hasPodSpec, isWorkload: isWorkload)
            if let set = known[key] { return set }
            let applying = selection.indices.filter {
                selection[$0].scope.includes(object) && (hasPodSpec || !selection[$0].needsPodSpec)
                    && (isWorkload || !selection[$0].needsWorkload)
                    && steps[$0].check.applies(kind: key.kind, apiVersion: key.apiVersion)
            }
            let set = RuleSet(own: applying.filter { !selection[$0].readsIndex }, cross: applying.filter { selection[$0].readsIndex })
            known[key] = set
            return set
        }

        /// A context per step for one worker, all sharing one new memo; `index` is nil while it is
        /// being built (only checks that do not read it run then).
        func contexts(index: ObjectIndex?) -> [CheckContext] {
            let memo = ObjectMemo()
            return steps.map { CheckContext(rule: $0.rule, index: index, settings: settings, today: today, memo: memo) }
        }

        struct ScopeKey: Hashable {
            let kind: String
            let apiVersion: String
            let hasPodSpec: Bool
            let isWorkload: Bool
        }
    }

    /// Findings of part of a run, with their sort keys, and the suppressed ones.
    struct Findings {
        var findings: [Finding] = []
        var suppressed: [Suppressed] = []
        /// Each finding's sort key, noted when it is made (the finding is then in this core's
        /// cache; reading 22,000 boxed findings back for the sort is a cache miss each).
        var keys: [Key] = []
        /// The files of the findings, each once; `Key.file` indexes this list.
        var files: [String] = []
        /// Per step, in a timed run: nanoseconds in its check, objects it ran on, findings it made.
        var nanoseconds: [UInt64] = []
        var calls: [Int] = []
        var ruleFindings: [Int] = []

        struct Key {
            let file: Int
            let line: Int
            let column: Int
            let rule: Int
        }

        /// Adds a finding of the rule ranked `rule`.
        mutating func append(_ finding: consuming Finding, rule: Int) {
            let name = finding.box.fields.location.file
            let file: Int
            if let last = files.last, last == name {
                file = files.count - 1
            } else {
                file = files.firstIndex(of: name) ?? files.count
                if file == files.count { files.append(name) }
            }
            keys.append(Key(file: file, line: finding.line, column: finding.column, rule: rule))
            findings.append(finding)
        }

        /// Notes one run of step `r` (of `steps`) in a timed run.
        mutating func note(_ r: Int, of steps: Int, nanoseconds elapsed: UInt64, findings: Int) {
            if nanoseconds.isEmpty {
                nanoseconds = Array(repeating: 0, count: steps)
                calls = Array(repeating: 0, count: steps)
                ruleFindings = Array(repeating: 0, count: steps)
            }
            nanoseconds[r] += elapsed
            calls[r] += 1
            ruleFindings[r] += findings
        }

        /// The parts' findings, in part order, sorted as `Finding.reportOrder` sorts them with ties
        /// kept in run order (what a stable sort gives). File, line, column and rule are compared as
        /// numbers, not strings, and each finding is copied once, into the result.
        static func inReportOrder(_ parts: [Findings]) -> [Finding] {
            // Files in name order: each part's file numbers mapped to ranks.
            let names = Set(parts.flatMap(\.files)).sorted()
            var rankOfName: [String: Int] = [:]
            for (rank, name) in names.enumerated() { rankOfName[name] = rank }
            let fileRanks = parts.map { part in part.files.map { rankOfName[$0]! } }
            var items: [(key: SortKey, part: Int, index: Int)] = []
            items.reserveCapacity(parts.reduce(0) { $0 + $1.findings.count })
            for (p, part) in parts.enumerated() {
                for (j, key) in part.keys.enumerated() {
                    items.append((SortKey(file: fileRanks[p][key.file], line: key.line, column: key.column, rule: key.rule), p, j))
                }
            }
            // Equal keys (rare) compare container, then message, then run order (part, then index).
            items.sort { a, b in
                if a.key != b.key { return a.key < b.key }
                let (x, y) = (parts[a.part].findings[a.index].box.fields, parts[b.part].findings[b.index].box.fields)
                if (x.container ?? "") != (y.container ?? "") { return (x.container ?? "") < (y.container ?? "") }
                if x.message != y.message { return x.message < y.message }
                return (a.part, a.index) < (b.part, b.index)
            }
            return items.map { parts[$0.part].findings[$0.index] }
        }

        struct SortKey: Comparable {
            let file: Int
            let line: Int
            let column: Int
            let rule: Int

            static func < (a: SortKey, b: SortKey) -> Bool { (a.file, a.line, a.column, a.rule) < (b.file, b.line, b.column, b.rule) }
        }
    }

    /// The findings of some objects for one phase's rules.
    func evaluate(_ objects: ArraySlice<KubeObject>, phase: KeyPath<Plan.RuleSet, [Int]>, plan: Plan, index: ObjectIndex?) -> Findings {
        var found = Findings()
        found.findings.reserveCapacity(2 * objects.count)
        found.keys.reserveCapacity(2 * objects.count)
        var known: [Plan.ScopeKey: Plan.RuleSet] = [:]
        // Each worker its own contexts (sharing one memo): their reference counts and memo are its alone.
        let contexts = plan.contexts(index: index)
        let unretained = contexts.map(Unmanaged.passUnretained)
        withExtendedLifetime(contexts) {
            for object in objects {
                let rules = plan.rules(for: object, known: &known)[keyPath: phase]
                if !rules.isEmpty { evaluate(object, rules: rules, plan: plan, contexts: unretained, into: &found) }
            }
        }
        return found
    }

    /// Appends one object's findings (and the ones suppressions or exemptions silence).
    func evaluate(_ object: KubeObject, rules: [Int], plan: Plan, contexts: [Unmanaged<CheckContext>], into found: inout Findings) {
        var suppressions: [Suppression]?
        var display: String?
        for r in rules {
            let start = plan.timed ? DispatchTime.now().uptimeNanoseconds : 0
            let violations = plan.runners[r]._withUnsafeGuaranteedRef { check in
                contexts[r]._withUnsafeGuaranteedRef { context in check.run(object, context) }
            }
            if plan.timed {
                found.note(
                    r, of: plan.steps.count, nanoseconds: DispatchTime.now().uptimeNanoseconds - start, findings: violations.count)
            }
            if violations.isEmpty { continue }
            let step = plan.steps[r]
            let subject = display ?? object.reference.display
            display = subject
            for violation in violations {
                // "container \"api\" in Deployment \"shop/api\" runs as root", built in one buffer.
                let message =
                    violation.container.map { String.joining("container \"", $0, "\" in ", subject, " ", violation.message) }
                    ?? String.joining(subject, " ", violation.message)
                let finding = Finding(
                    ruleID: step.rule.id, severity: step.severity, message: message, remediation: step.rule.remediation,
                    location: SourceLocation(file: violation.file, range: violation.range), object: object.reference,
                    container: violation.container, path: violation.path, fix: violation.fix)
                if step.suppressible {
                    if suppressions == nil { suppressions = Suppression.suppressions(of: object) }
                    if let reason = suppressionReason(finding, suppressions!) {
                        found.suppressed.append(Suppressed(finding: finding, reason: reason))
                        continue
                    }
                }
                found.append(finding, rule: plan.ruleRanks[r])
            }
        }
    }

    /// The reason a suppressible finding is silenced, if an exemption or an annotation covers it.
    func suppressionReason(_ finding: Finding, _ suppressions: [Suppression]) -> String? {
        if let exemption = config.exemptions.first(where: { $0.covers(finding) }) { return exemption.reason }
        let match = suppressions.first {
            $0.ruleID == finding.ruleID && ($0.container == nil || $0.container == finding.container) && $0.isActive(today: today)
        }
        return match?.reason
    }

    /// Rules that audit suppressions themselves and so cannot be suppressed.
    static let auditRules: Set<String> = ["invalid-suppression", "expired-suppression"]

    static func merge(_ base: [Rule], _ extra: [Rule]) throws(LintError) -> [Rule] {
        var byID: [String: Rule] = [:]
        for rule in base { byID[rule.id] = rule }
        var seen: [String: Rule] = [:]
        for rule in extra {
            if let first = seen[rule.id] { throw .duplicateRule(rule.source, id: rule.id, first: first.source.file) }
            seen[rule.id] = rule
            byID[rule.id] = rule
        }
        return byID.values.sorted { $0.id < $1.id }
    }

    static func mergeParams(_ base: ValueTree, _ override: ValueTree?) -> ValueTree {
        guard let override, case .object(var members) = base, case .object(let extra) = override else { return override ?? base }
        for member in extra {
            if let i = members.firstIndex(where: { $0.key == member.key }) {
                members[i].value = member.value
            } else {
                members.append(member)
            }
        }
        return .object(members)
    }

    static func dayString(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
