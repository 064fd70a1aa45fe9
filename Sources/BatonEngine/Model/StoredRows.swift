// How an execution is laid out in storage. A row keeps in its JSON only what is particular to it:
// the fields its typed columns already hold are left out, and so is what repeats from one execution
// to the next — a workflow's definition, a task's WorkflowTask (with its task definition) — which the
// store keeps once per content and the row refers to. A one-task workflow is ~1.5 KB stored instead
// of ~6.4 KB. Reading splices the parts back (`rowJSONBytes(storedRow:…)`, `jsonBytes(storedRow:…)`)
// without parsing the row.

import BatonSupport

/// The columns of a stored workflow row that its JSON leaves out.
public struct WorkflowRowColumns: Sendable {
    public var workflowId: String
    public var status: String
    public var createTime: Int64
    public var updateTime: Int64
    public var endTime: Int64
    public var priority: Int
    /// The row's `left_out`: which `WorkflowUsualField`s its JSON leaves out.
    public var leftOut: Int64

    public init(workflowId: String, status: String, createTime: Int64, updateTime: Int64, endTime: Int64, priority: Int,
                leftOut: Int64 = 0) {
        self.leftOut = leftOut
        self.workflowId = workflowId
        self.status = status
        self.createTime = createTime
        self.updateTime = updateTime
        self.endTime = endTime
        self.priority = priority
    }

    init(_ wf: WorkflowModel) {
        self.init(workflowId: wf.workflowId, status: wf.status.rawValue, createTime: wf.createTime,
                  updateTime: wf.updateTime, endTime: wf.endTime, priority: wf.priority)
    }
}

/// The columns of a stored task row that its JSON leaves out.
public struct TaskRowColumns: Sendable {
    public var taskId: String
    public var workflowInstanceId: String
    public var status: String
    public var seq: Int
    public var taskType: String
    /// The row's `left_out`: which `TaskUsualField`s its JSON leaves out.
    public var leftOut: Int64

    public init(taskId: String, workflowInstanceId: String, status: String, seq: Int, taskType: String, leftOut: Int64 = 0) {
        self.leftOut = leftOut
        self.taskId = taskId
        self.workflowInstanceId = workflowInstanceId
        self.status = status
        self.seq = seq
        self.taskType = taskType
    }

    init(_ t: TaskModel) {
        self.init(taskId: t.taskId, workflowInstanceId: t.workflowInstanceId, status: t.status.rawValue, seq: t.seq, taskType: t.taskType)
    }
}

/// Task fields a stored row leaves out at their usual value (see `UsualFields`; never renumber).
enum TaskUsualField: Int, UsualFields {
    case inputData = 0, retryCount, startDelayInSeconds, retried, executed, callbackFromWorker, callbackAfterSeconds,
         rateLimitPerFrequency, rateLimitFrequencyInSeconds, workflowPriority, iteration, subworkflowChanged,
         firstStartTime, loopOverTask, outputData, pollCount, queueWaitTime

    var usual: UsualValue {
        switch self {
        case .inputData, .outputData: .emptyObject
        case .retried, .executed, .subworkflowChanged, .loopOverTask: .bool(false)
        case .callbackFromWorker: .bool(true)
        case .rateLimitFrequencyInSeconds: .int(1)
        default: .int(0)
        }
    }
    static let keys = makeKeys()
    static let literals = makeLiterals()
}

/// Workflow fields a stored row leaves out at their usual value (see `UsualFields`; never renumber).
enum WorkflowUsualField: Int, UsualFields {
    case input = 0, output, taskToDomain, failedReferenceTaskNames, failedTaskNames, variables, lastRetriedTime,
         history, rateLimited

    var usual: UsualValue {
        switch self {
        case .input, .output, .taskToDomain, .variables: .emptyObject
        case .failedReferenceTaskNames, .failedTaskNames, .history: .emptyArray
        case .rateLimited: .bool(false)
        case .lastRetriedTime: .int(0)
        }
    }
    static let keys = makeKeys()
    static let literals = makeLiterals()
}

/// A row as the store writes it: its JSON, and which fields that JSON leaves out because they held
/// their usual value (`leftOut`, bit `rawValue` of a `UsualFields` case; reads write them back).
public struct StoredRow: Sendable {
    public var json: [UInt8]
    public var leftOut: Int64
}

/// Fields most executions hold at one value (`0`, `false`, `{}`), left out of stored rows while they do:
/// with the always-constant ones they were ~40% of a one-task workflow's JSON. A row's `left_out`
/// column names them by `rawValue`, so cases are numbered 0, 1, 2… in order, and a case keeps its
/// number for as long as rows may name it (new ones go at the end).
protocol UsualFields: CaseIterable, RawRepresentable<Int> {
    var usual: UsualValue { get }
    /// Made once by `makeKeys()` / `makeLiterals()`, indexed by `rawValue`.
    static var keys: [String] { get }
    static var literals: [[UInt8]] { get }
}

extension UsualFields {
    static func makeKeys() -> [String] { allCases.map { "\($0)" } }
    static func makeLiterals() -> [[UInt8]] { allCases.map { $0.usual.bytes } }
}

enum UsualValue: Equatable {
    case int(Int64), bool(Bool), emptyObject, emptyArray

    var bytes: [UInt8] {
        switch self {
        case .int(let v): Array(String(v).utf8)
        case .bool(let v): Array((v ? "true" : "false").utf8)
        case .emptyObject: Array("{}".utf8)
        case .emptyArray: Array("[]".utf8)
        }
    }
}

/// Writes the fields of `F` into a row; with `leavesOut` (the stored form) a field at its usual value is
/// only marked in `leftOut`. The API form writes every field.
struct UsualFieldWriter<F: UsualFields> {
    let leavesOut: Bool
    private(set) var leftOut: Int64 = 0

    init(leavesOut: Bool) { self.leavesOut = leavesOut }

    private mutating func leaves(_ f: F, _ isUsual: Bool) -> Bool {
        guard leavesOut, isUsual else { return false }
        leftOut |= 1 << Int64(f.rawValue)
        return true
    }

    mutating func int(_ w: inout JSONObjectWriter, _ f: F, _ v: Int64) {
        if !leaves(f, f.usual == .int(v)) { w.int(F.keys[f.rawValue], v) }
    }

    mutating func int(_ w: inout JSONObjectWriter, _ f: F, _ v: Int) { int(&w, f, Int64(v)) }

    mutating func bool(_ w: inout JSONObjectWriter, _ f: F, _ v: Bool) {
        if !leaves(f, f.usual == .bool(v)) { w.bool(F.keys[f.rawValue], v) }
    }

    mutating func object(_ w: inout JSONObjectWriter, _ f: F, _ o: JSONObject) {
        if !leaves(f, f.usual == .emptyObject && o.isEmpty) { w.object(F.keys[f.rawValue], o) }
    }

    mutating func strings(_ w: inout JSONObjectWriter, _ f: F, _ a: [String]) {
        if !leaves(f, f.usual == .emptyArray && a.isEmpty) { w.value(F.keys[f.rawValue], .array(a.map(JSONValue.string))) }
    }

    /// Writes back the fields a stored row left out, at their usual values.
    static func writeBack(_ leftOut: Int64, into w: inout JSONObjectWriter) {
        guard leftOut != 0 else { return }
        for i in F.keys.indices where leftOut & (1 << Int64(i)) != 0 { w.raw(F.keys[i], F.literals[i]) }
    }
}
