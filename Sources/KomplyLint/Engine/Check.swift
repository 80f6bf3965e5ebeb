import Foundation
import KomplyCore

/// A check template: Swift logic that rules instantiate with parameters.
public protocol Check: Sendable {
    /// The parameters a rule's `params` decode into.
    associatedtype Parameters: Decodable & Sendable
    /// The name rules use in `check:`.
    static var name: String { get }
    /// Creates the check from decoded parameters.
    init(parameters: Parameters)
    /// The violations of one object (the context also sees every other object in the run).
    func check(_ object: KubeObject, in context: CheckContext) -> [Violation]
    /// True when the check looks only at the pod spec or its containers, so it finds nothing in an
    /// object without one: the engine then does not call it for Services, ConfigMaps, Roles and the
    /// like (most objects of a large run). Default false.
    var needsPodSpec: Bool { get }
    /// True when the check finds nothing in an object that runs no pods (no pod spec and no pod
    /// template), such as a ConfigMap: the engine then does not call it for those. Default false.
    var needsWorkload: Bool { get }
    /// True when the check reads other objects (`context.index`). The engine runs the other checks
    /// while it is still building the index, so a check that reads it without declaring so stops
    /// the run with a message naming it. Default false.
    var readsIndex: Bool { get }
    /// False when the check finds nothing in any object of this kind and API version (a table of
    /// deprecated APIs, a kind that has no replicas): the engine decides it once per kind and
    /// version and then does not call the check for those objects. Default true.
    func applies(kind: String, apiVersion: String) -> Bool
}

extension Check {
    public var needsPodSpec: Bool { false }
    public var needsWorkload: Bool { false }
    public var readsIndex: Bool { false }
    public func applies(kind: String, apiVersion: String) -> Bool { true }
}

/// What a check reports; the engine turns it into a `Finding`.
public struct Violation: Sendable {
    /// The range that is reported.
    public var range: SourceRange
    /// The file of the range.
    public var file: String
    /// The predicate (`runs as root`); the engine prefixes the subject.
    public var message: String
    /// The container, for container-level findings.
    public var container: String?
    /// Logical path of the offending field.
    public var path: String
    /// A safe fix.
    public var fix: Fix?

    /// A violation at a node.
    public init(node: Node, message: String, container: String? = nil, path: String, fix: Fix? = nil) {
        self.init(range: node.range, file: node.file, message: message, container: container, path: path, fix: fix)
    }

    /// A violation at a path match (the field, or where a missing one belongs).
    public init(match: NodePath.Match, file: String, message: String, container: String? = nil, fix: Fix? = nil) {
        self.init(range: match.reportRange, file: file, message: message, container: container, path: match.path, fix: fix)
    }

    /// A violation at an explicit range.
    public init(range: SourceRange, file: String, message: String, container: String?, path: String, fix: Fix?) {
        self.range = range
        self.file = file
        self.message = message
        self.container = container
        self.path = path
        self.fix = fix
    }
}

/// What a check sees besides its own object (one per rule and run, shared by every object, so
/// handing it to a check copies nothing).
public final class CheckContext: Sendable {
    /// The rule being run.
    public let rule: Rule
    /// Every object of the run, indexed for cross-object checks (only checks that declare
    /// `readsIndex` may read it).
    public var index: ObjectIndex {
        guard let index = storedIndex else {
            preconditionFailure("check \(rule.check) (rule \(rule.id)) reads other objects but does not declare readsIndex")
        }
        return index
    }
    private let storedIndex: ObjectIndex?
    /// The policy settings that checks consult (target Kubernetes version, non-suppressible rules).
    public let settings: LintSettings
    /// Today's date as `YYYY-MM-DD` (injected so suppression expiry is testable).
    public let today: String

    /// What the engine remembers about the object being evaluated (shared by one worker's contexts).
    let memo: ObjectMemo?
    /// True when the rule visits the default container lists, which the memo keeps.
    private let visitsDefaultContainers: Bool

    init(rule: Rule, index: ObjectIndex?, settings: LintSettings, today: String, memo: ObjectMemo? = nil) {
        self.rule = rule
        storedIndex = index
        self.settings = settings
        self.today = today
        self.memo = memo
        visitsDefaultContainers = rule.scope.containers == KubeObject.defaultContainerTypes
    }

    /// The containers this rule visits.
    public func containers(of object: KubeObject) -> [Container] {
        guard visitsDefaultContainers, let memo else { return object.containers(rule.scope.containers) }
        // Most rules visit the same containers of the same object: found once per object.
        if memo.object == ObjectIdentifier(object), let containers = memo.containers { return containers }
        let containers = object.containers()
        memo.object = ObjectIdentifier(object)
        memo.containers = containers
        return containers
    }

    /// The rule's message predicate, or `fallback` when the rule does not set one.
    public func message(_ fallback: String) -> String { rule.message ?? fallback }
}

/// The object one worker is evaluating and what its rules share about it. Each worker has its
/// own, used from one thread at a time; the objects outlive the run, so their identities are stable.
final class ObjectMemo: @unchecked Sendable {
    var object: ObjectIdentifier?
    var containers: [Container]?
}

/// A type-erased, ready-to-run check instance.
public struct AnyCheck: Sendable {
    /// The instance, boxed in a class so the engine can call it without retaining anything.
    let box: CheckBox
    /// The check's `needsPodSpec`.
    let needsPodSpec: Bool
    /// The check's `needsWorkload`.
    let needsWorkload: Bool
    /// The check's `readsIndex`.
    let readsIndex: Bool

    /// The violations of one object.
    func run(_ object: KubeObject, _ context: CheckContext) -> [Violation] { box.run(object, context) }

    /// The check's `applies(kind:apiVersion:)`.
    func applies(kind: String, apiVersion: String) -> Bool { box.applies(kind: kind, apiVersion: apiVersion) }
}

/// The class a check instance is boxed in (one subclass per template).
class CheckBox: @unchecked Sendable {
    func run(_ object: KubeObject, _ context: CheckContext) -> [Violation] { [] }
    func applies(kind: String, apiVersion: String) -> Bool { true }
}

/// A check instance of template `C`; immutable, so sharing it across threads is safe.
final class TypedCheckBox<C: Check>: CheckBox, @unchecked Sendable {
    let check: C

    init(_ check: C) { self.check = check }

    override func run(_ object: KubeObject, _ context: CheckContext) -> [Violation] { check.check(object, in: context) }
    override func applies(kind: String, apiVersion: String) -> Bool { check.applies(kind: kind, apiVersion: apiVersion) }
}

/// The registered check templates by name.
public struct CheckRegistry: Sendable {
    typealias Factory = @Sendable (ValueTree) throws -> AnyCheck
    private var factories: [String: Factory] = [:]

    /// An empty registry.
    public init() {}

    /// Registers a check template.
    public mutating func register<C: Check>(_ type: C.Type) {
        factories[C.name] = { params in
            let data = Data(JSONEmitter.emit(params, pretty: false).utf8)
            let parameters = try JSONDecoder().decode(C.Parameters.self, from: data)
            let check = C(parameters: parameters)
            return AnyCheck(
                box: TypedCheckBox(check), needsPodSpec: check.needsPodSpec, needsWorkload: check.needsWorkload,
                readsIndex: check.readsIndex)
        }
    }

    /// The registered names, sorted.
    public var names: [String] { factories.keys.sorted() }

    /// True when `name` is registered.
    public func contains(_ name: String) -> Bool { factories[name] != nil }

    /// Instantiates the rule's check with `params`.
    public func instantiate(_ rule: Rule, params: ValueTree) throws(LintError) -> AnyCheck {
        guard let factory = factories[rule.check] else {
            throw .unknownCheck(rule.source, check: rule.check, known: names)
        }
        do { return try factory(params) } catch {
            throw .invalidParameters(rule.source, rule: rule.id, problem: Self.describe(error))
        }
    }

    private static func describe(_ error: Error) -> String {
        guard let decoding = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "params" : "params." + keys.joined(separator: ".")
        }
        switch decoding {
        case .keyNotFound(let key, let context): return "\(path(context)): missing \"\(key.stringValue)\""
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type)"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
