import BatonSupport

/// Everything a decide pass may consult besides the workflow itself. The caller builds it: the engine
/// from its clock, id source, definition catalog, script engines and poll records; tests from plain
/// values. Nothing in here performs I/O on the decider's behalf: the definitions are a snapshot and the
/// script evaluator applies its own time limit.
public struct DecideContext {
    /// The instant the pass runs at; every task it touches sees this "now".
    public var now: Int64
    /// New task ids.
    public var newId: () -> String
    /// Registered task definitions, for nodes created at run time (dynamic forks, dynamic tasks).
    public var definitions: Definitions
    /// JavaScript and jq.
    public var scripts: any ScriptEvaluator
    /// A number in the range, for retry jitter (seeded in tests and reproducible runs).
    public var random: (ClosedRange<Int64>) -> Int64
    /// Last poll time of a queue (`[domain:]type`), for picking an active domain; nil when never polled.
    public var lastPollTime: (String) -> Int64?

    public init(now: Int64, newId: @escaping () -> String, definitions: Definitions = Definitions(),
                scripts: any ScriptEvaluator, random: @escaping (ClosedRange<Int64>) -> Int64 = { $0.lowerBound },
                lastPollTime: @escaping (String) -> Int64? = { _ in nil }) {
        self.now = now
        self.newId = newId
        self.definitions = definitions
        self.scripts = scripts
        self.random = random
        self.lastPollTime = lastPollTime
    }
}

/// A read-only view of the registered definitions at one moment (a catalog generation).
public struct Definitions: Sendable {
    public let taskDefs: [String: TaskDef]
    public init(taskDefs: [String: TaskDef] = [:]) { self.taskDefs = taskDefs }
    public func taskDef(named name: String) -> TaskDef? { taskDefs[name] }
}

/// JavaScript and jq as the decider needs them. The implementation decides how a runaway script is
/// stopped (Baton's runs each under a time limit); the decider only sees a value or a `ScriptError`.
public protocol ScriptEvaluator: Sendable {
    /// The completion value of `script` with `$` bound to `input`.
    func javascript(_ script: String, input: JSONValue) throws(ScriptError) -> JSONValue
    /// Every value `program` emits for `input`.
    func jq(_ program: String, input: JSONValue) throws(ScriptError) -> [JSONValue]
}

extension JSONValue {
    /// Truthiness of a script result as DO_WHILE conditions and event handler conditions read it:
    /// `true`, or a number greater than zero (OSS `ScriptEvaluator.evalBool`).
    public var isTruthy: Bool {
        switch self {
        case .bool(let b): b
        case .int(let i): i > 0
        case .double(let d): d > 0
        default: false
        }
    }
}
