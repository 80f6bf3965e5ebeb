import Foundation
import KomplyCore

/// The generic path-assertion check: rules state conditions on paths, so platform teams write
/// rules without Swift.
///
/// ```yaml
/// check: Assert
/// params:
///   on: container            # object (default), podSpec or container
///   when: [{path: spec.replicas, op: gt, value: 1}]   # optional preconditions
///   assert:
///     - {path: securityContext.privileged, op: notEquals, value: true}
///   fix: [{path: securityContext.privileged, value: false}]
///   unlessAutoscaled: true   # optional: skip workloads a HorizontalPodAutoscaler scales
/// ```
///
/// Operators: `exists`, `absent`, `equals`, `notEquals`, `matches`, `notMatches` (regex, whole
/// value), `in`, `notIn` (`values`), `contains`, `notContains` (a list holds `value`), `lt`, `le`,
/// `gt`, `ge` (numbers, or Kubernetes quantities such as `512Mi` and `250m`), `keysIn` (a mapping
/// has only keys from `values`). A missing field
/// fails `exists` and the positive operators and passes the negative ones unless `missing:
/// pass|fail` or a `default` says otherwise. Paths use `.` for keys, `[*]` to visit every list
/// item and `["a.b/c"]` for keys with dots.
public struct AssertCheck: Check {
    /// Parameters.
    public struct Parameters: Decodable, Sendable {
        /// What paths start from.
        public var on: Target?
        /// Conditions that must all hold for the rule to apply.
        public var when: [Assertion]?
        /// Conditions that must all hold; each failure is one finding.
        public var assert: [Assertion]
        /// Values to set when fixing.
        public var fix: [FixStep]?
        /// True when the rule does not apply to a workload a HorizontalPodAutoscaler of its namespace scales
        /// (its replica count is the autoscaler's, which the autoscaler's own rules check).
        public var unlessAutoscaled: Bool?
    }

    /// Where paths start.
    public enum Target: String, Decodable, Sendable {
        case object, podSpec, container
    }

    /// One condition.
    public struct Assertion: Decodable, Sendable {
        /// Operators.
        public enum Op: String, Decodable, Sendable {
            case exists, absent, equals, notEquals, matches, notMatches, `in`, notIn, contains, notContains, keysIn, lt, le, gt, ge
        }

        /// What to do when the path is missing.
        public enum Missing: String, Decodable, Sendable { case pass, fail }

        /// The path below the target.
        public var path: String
        /// The operator.
        public var op: Op
        /// The operand of `equals`, `matches`, `contains` and comparisons.
        public var value: ParamValue?
        /// The operand of `in`/`notIn`.
        public var values: [ParamValue]?
        /// Overrides the missing-field outcome.
        public var missing: Missing?
        /// The value assumed when the field is missing (`spec.replicas` defaults to 1).
        public var `default`: ParamValue?
        /// Message predicate for this assertion (else the rule's `message`).
        public var message: String?

        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            path = try c.decode(String.self, forKey: .path)
            op = try c.decode(Op.self, forKey: .op)
            value = try c.decodeIfPresent(ParamValue.self, forKey: .value)
            values = try c.decodeIfPresent([ParamValue].self, forKey: .values)
            missing = try c.decodeIfPresent(Missing.self, forKey: .missing)
            self.default = try c.decodeIfPresent(ParamValue.self, forKey: .default)
            message = try c.decodeIfPresent(String.self, forKey: .message)
            guard NodePath(path) != nil else {
                throw DecodingError.dataCorruptedError(forKey: .path, in: c, debugDescription: "malformed path \"\(path)\"")
            }
            switch op {
            case .equals, .notEquals, .contains, .notContains, .lt, .le, .gt, .ge:
                guard value != nil else {
                    throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "\(op.rawValue) needs a value")
                }
            case .matches, .notMatches:
                guard case .string(let pattern)? = value, (try? NSRegularExpression(pattern: pattern)) != nil else {
                    throw DecodingError.dataCorruptedError(
                        forKey: .value, in: c, debugDescription: "\(op.rawValue) needs a valid regular expression")
                }
            case .in, .notIn, .keysIn:
                guard values != nil else {
                    throw DecodingError.dataCorruptedError(forKey: .values, in: c, debugDescription: "\(op.rawValue) needs values")
                }
            case .exists, .absent: break
            }
        }

        enum CodingKeys: String, CodingKey { case path, op, value, values, missing, `default`, message }
    }

    /// A value to set (or append) when fixing.
    public struct FixStep: Decodable, Sendable {
        /// Dot-separated keys below the target.
        public var path: String
        /// The value (ignored with `remove`).
        public var value: ParamValue?
        /// Append to a list instead of setting.
        public var append: Bool?
        /// Delete the key instead of setting it.
        public var remove: Bool?
    }

    public static let name = "Assert"
    let parameters: Parameters
    /// `when` and `assert`, with their paths parsed (parsing is validated when parameters decode).
    let conditions: [Compiled]
    let assertions: [Compiled]
    /// The fix's summary and edits (less their anchor), built once.
    let fixPlan: FixPlan?
    typealias FixPlan = (summary: String, edits: [(path: [String], value: ValueTree, mode: Fix.Edit.Mode)])

    public init(parameters: Parameters) {
        self.parameters = parameters
        conditions = (parameters.when ?? []).map(Compiled.init)
        assertions = parameters.assert.map(Compiled.init)
        if let steps = parameters.fix, !steps.isEmpty {
            let summary = steps.map { $0.remove == true ? "remove \($0.path)" : "set \($0.path): \($0.value ?? .null)" }
                .joined(separator: ", ")
            let edits = steps.map { step -> (path: [String], value: ValueTree, mode: Fix.Edit.Mode) in
                (
                    step.path.split(separator: ".").map(String.init), step.value?.tree ?? .null,
                    step.remove == true ? .remove : step.append == true ? .appendToList : .set
                )
            }
            fixPlan = (summary, edits)
        } else {
            fixPlan = nil
        }
    }

    public var needsPodSpec: Bool { parameters.on == .container || parameters.on == .podSpec }
    public var readsIndex: Bool { parameters.unlessAutoscaled == true }

    public func check(_ object: KubeObject, in context: CheckContext) -> [Violation] {
        if parameters.unlessAutoscaled == true, context.index.isAutoscaled(object) { return [] }
        var violations: [Violation] = []
        switch parameters.on ?? .object {
        case .object:
            evaluate(object.node, basePath: "", container: nil, context: context, into: &violations)
        case .podSpec:
            guard let spec = object.podSpec else { return [] }
            evaluate(spec, basePath: object.podSpecPath, field: object.podSpecField, container: nil, context: context, into: &violations)
        case .container:
            for container in context.containers(of: object) {
                evaluate(container.node, basePath: container.path, container: container.name, context: context, into: &violations)
            }
        }
        return violations
    }
}

extension AssertCheck {
    /// One condition with its path parsed and its default message built.
    final class Compiled: Sendable {
        let assertion: Assertion
        let path: NodePath
        /// `path.suffixDescriptions`, computed once.
        let suffixes: [String]
        /// The message when neither the assertion nor the rule sets one.
        let defaultMessage: String

        init(_ assertion: Assertion) {
            self.assertion = assertion
            path = NodePath(assertion.path)!
            suffixes = path.suffixDescriptions
            let operand =
                assertion.values.map { "[" + $0.map(\.description).joined(separator: ", ") + "]" } ?? assertion.value?.description ?? ""
            defaultMessage = "fails \(assertion.path) \(assertion.op.rawValue) \(operand)".trimmingCharacters(in: .whitespaces)
        }
    }
}

private extension AssertCheck {
    enum Outcome { case pass, fail }

    /// Appends the target's violations: the walks note each failing match as it is found.
    func evaluate(
        _ target: Node, basePath: String, field: Node.Pair? = nil, container: String?, context: CheckContext,
        into violations: inout [Violation]
    ) {
        let conditions = self.conditions
        let assertions = self.assertions
        let first = violations.count
        let applies: Bool = withUnsafePointer(to: target) { target in
            if let field {
                return withUnsafePointer(to: field.key) { key in
                    Self.walk(target, fieldKey: key, conditions: conditions, assertions: assertions) { hit, index in
                        violations.append(
                            violation(hit, assertions[index], target: target, basePath: basePath, container: container, context: context))
                    }
                }
            }
            return Self.walk(target, fieldKey: nil, conditions: conditions, assertions: assertions) { hit, index in
                violations.append(
                    violation(hit, assertions[index], target: target, basePath: basePath, container: container, context: context))
            }
        }
        // Conditions are tested before any assertion, so nothing was added when one fails.
        assert(applies || violations.count == first)
    }

    /// The violation of one failing match.
    func violation(
        _ hit: NodePath.Hit, _ compiled: Compiled, target: UnsafePointer<Node>, basePath: String, container: String?, context: CheckContext
    ) -> Violation {
        Violation(
            range: hit.range, file: target.pointee.file,
            message: compiled.assertion.message ?? context.rule.message ?? compiled.defaultMessage, container: container,
            path: compiled.path.path(of: hit, basePath: basePath, suffixes: compiled.suffixes), fix: Self.fix(fixPlan, target.pointee))
    }

    /// Tests the conditions, then the assertions, calling `failed` with each failing match and the
    /// index of its assertion; false (and no calls) when a condition fails.
    static func walk(
        _ target: UnsafePointer<Node>, fieldKey: UnsafePointer<Node>?, conditions: [Compiled], assertions: [Compiled],
        failed: (NodePath.Hit, Int) -> Void
    ) -> Bool {
        for condition in conditions {
            var holds = true
            condition.path.forEachHit(target, fieldKey: fieldKey) { hit, node, _ in
                holds = outcome(condition, found: hit.found, node) == .pass
                return holds
            }
            if !holds { return false }
        }
        for index in assertions.indices {
            let compiled = assertions[index]
            compiled.path.forEachHit(target, fieldKey: fieldKey) { hit, node, _ in
                if outcome(compiled, found: hit.found, node) == .fail { failed(hit, index) }
                return true
            }
        }
        return true
    }

    static func fix(_ fixPlan: FixPlan?, _ target: Node) -> Fix? {
        guard let fixPlan else { return nil }
        return Fix(
            summary: fixPlan.summary, edits: fixPlan.edits.map { Fix.Edit(anchor: target, path: $0.path, value: $0.value, mode: $0.mode) })
    }

    /// The outcome for a found node, or (`found` false) for a missing field.
    static func outcome(_ compiled: Compiled, found: Bool, _ node: UnsafePointer<Node>) -> Outcome {
        guard found else {
            if let missing = compiled.assertion.missing { return missing == .pass ? .pass : .fail }
            if let value = compiled.assertion.default { return Self.test(compiled.assertion, value: value) }
            switch compiled.assertion.op {
            case .absent, .notEquals, .notIn, .notMatches, .notContains: return .pass
            default: return .fail
            }
        }
        switch compiled.assertion.op {
        case .exists: return .pass
        case .absent: return .fail
        default: return Self.test(compiled.assertion, node: node.pointee)
        }
    }

    static func test(_ assertion: Assertion, node: Node) -> Outcome {
        let ok: Bool
        switch assertion.op {
        case .exists: ok = true
        case .absent: ok = false
        case .equals: ok = assertion.value!.matches(node)
        case .notEquals: ok = !assertion.value!.matches(node)
        case .in: ok = assertion.values!.contains { $0.matches(node) }
        case .notIn: ok = !assertion.values!.contains { $0.matches(node) }
        case .matches, .notMatches:
            guard case .string(let pattern)? = assertion.value else { return .fail }
            let hit = node.scalar.map { CheckSupport.fullMatch(pattern, $0) } ?? false
            ok = assertion.op == .matches ? hit : !hit
        case .contains, .notContains:
            let items = node.sequence ?? (node.mapping?.map(\.key) ?? [node])
            let hit = items.contains { assertion.value!.matches($0) }
            ok = assertion.op == .contains ? hit : !hit
        case .keysIn:
            ok = (node.mapping ?? []).allSatisfy { pair in assertion.values!.contains { $0.matches(pair.key) } }
        case .lt, .le, .gt, .ge:
            ok = compare(assertion.op, actual: node.scalar ?? "", number: CheckSupport.number(node), operand: assertion.value!)
        }
        return ok ? .pass : .fail
    }

    static func test(_ assertion: Assertion, value: ParamValue) -> Outcome {
        switch assertion.op {
        case .exists: return .pass
        case .absent: return .fail
        case .equals: return value == assertion.value ? .pass : .fail
        case .notEquals: return value == assertion.value ? .fail : .pass
        case .in: return assertion.values!.contains(value) ? .pass : .fail
        case .notIn: return assertion.values!.contains(value) ? .fail : .pass
        case .lt, .le, .gt, .ge:
            let number: Double? = if case .number(let d) = value { d } else { nil }
            return compare(assertion.op, actual: value.description, number: number, operand: assertion.value!) ? .pass : .fail
        default: return .fail
        }
    }

    static func compare(_ op: Assertion.Op, actual: String, number: Double?, operand: ParamValue) -> Bool {
        let order: Int
        if let a = number, case .number(let b) = operand {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else if let a = try? Quantity(parsing: actual), let b = try? Quantity(parsing: operand.description) {
            order = a < b ? -1 : (a > b ? 1 : 0)
        } else {
            return false
        }
        switch op {
        case .lt: return order < 0
        case .le: return order <= 0
        case .gt: return order > 0
        case .ge: return order >= 0
        default: return false
        }
    }
}
