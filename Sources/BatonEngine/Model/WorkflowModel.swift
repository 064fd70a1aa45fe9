import BatonSupport
import Synchronization

/// One workflow execution with its task attempts (Conductor's `Workflow`).
public struct WorkflowModel: Sendable, Equatable {
    public var workflowId: String
    public var status: WorkflowStatus
    public var definition: WorkflowDef
    public var input = JSONObject()
    public var output = JSONObject()
    public var variables = JSONObject()
    public var tasks: [TaskModel] = []
    public var correlationId: String?
    public var priority = 0
    public var taskToDomain = JSONObject()
    public var parentWorkflowId: String?
    public var parentWorkflowTaskId: String?
    public var reasonForIncompletion: String?
    public var failedReferenceTaskNames: [String] = []
    public var failedTaskNames: [String] = []
    public var createTime: Int64 = 0
    public var updateTime: Int64 = 0
    public var endTime: Int64 = 0
    public var lastRetriedTime: Int64 = 0
    public var reRunFromWorkflowId: String?
    public var event: String?
    public var idempotencyKey: String?
    public var createdBy: String?
    /// Messages sent to the workflow (`POST /workflow/{id}/messages`) that no PULL_WORKFLOW_MESSAGES task
    /// has taken yet, oldest first, as WorkflowMessage objects. Not part of the workflow's JSON: stored
    /// in a table of their own, and dropped when the workflow ends (as OSS deletes its queue).
    public var messages: [JSONValue] = []
    /// The workflow has had messages, so its stored queue must follow `messages` (also when it empties).
    public var hasMessageQueue = false

    public init(workflowId: String, status: WorkflowStatus, definition: WorkflowDef) {
        self.workflowId = workflowId
        self.status = status
        self.definition = definition
    }

    public var workflowName: String { definition.name }
    public var workflowVersion: Int { definition.version }

    /// The latest attempt with this reference name.
    public func task(ref: String) -> TaskModel? { tasks.last { $0.referenceTaskName == ref } }
    public func index(ofTask taskId: String) -> Int? { tasks.firstIndex { $0.taskId == taskId } }
    public var nextSeq: Int { (tasks.map(\.seq).max() ?? 0) + 1 }
}

extension WorkflowModel {
    /// The workflow as Conductor serializes it; `tasks` only when asked. The field list lives in one
    /// place, `rowJSONBytes()`.
    public func json(includeTasks: Bool) -> JSONObject {
        guard case .object(var o)? = try? JSONParser.parse(rowJSONBytes()) else { return JSONObject() }
        o["tasks"] = .array(includeTasks ? tasks.map { .object($0.json()) } : [])
        return o
    }

    /// Reads back the stored form (without tasks; the store adds them).
    public init(json value: JSONValue) throws(EngineError) {
        try self.init(json: value, definitions: nil)
    }

    /// The same, taking the definition from `definitions` when it has built this one before: a page
    /// of executions mostly repeats one definition, and building it is most of the cost of a read.
    public init(json value: JSONValue, definitions: WorkflowDefCache?) throws(EngineError) {
        let f = try JSONFields(value, path: "workflow")
        guard let def = f.object["workflowDefinition"] else { throw .invalid("workflow: missing workflowDefinition") }
        let definition: WorkflowDef
        if let definitions {
            definition = try definitions.definition(def)
        } else {
            definition = try WorkflowDef(json: def, path: "workflow.workflowDefinition")
        }
        let columns = WorkflowRowColumns(workflowId: try f.string("workflowId") ?? "",
                                         status: try f.string("status") ?? WorkflowStatus.running.rawValue,
                                         createTime: try f.int64("createTime") ?? 0, updateTime: try f.int64("updateTime") ?? 0,
                                         endTime: try f.int64("endTime") ?? 0, priority: try f.int("priority") ?? 0)
        try self.init(f, columns, definition: definition)
    }

    /// Reads back a stored row (`storedRow()`) given what the store keeps beside it.
    public init(storedRow value: JSONValue, columns: WorkflowRowColumns, definition: WorkflowDef) throws(EngineError) {
        try self.init(try JSONFields(value, path: "workflow"), columns, definition: definition)
    }

    private init(_ f: JSONFields, _ columns: WorkflowRowColumns, definition: WorkflowDef) throws(EngineError) {
        guard let status = WorkflowStatus(rawValue: columns.status) else { throw .invalid("workflow.status: unknown status \(columns.status)") }
        self.init(workflowId: columns.workflowId, status: status, definition: definition)
        createTime = columns.createTime
        updateTime = columns.updateTime
        endTime = columns.endTime
        priority = columns.priority
        input = try f.object("input") ?? JSONObject()
        output = try f.object("output") ?? JSONObject()
        variables = try f.object("variables") ?? JSONObject()
        correlationId = try f.string("correlationId")
        taskToDomain = try f.object("taskToDomain") ?? JSONObject()
        parentWorkflowId = try f.string("parentWorkflowId")
        parentWorkflowTaskId = try f.string("parentWorkflowTaskId")
        reasonForIncompletion = try f.string("reasonForIncompletion")
        failedReferenceTaskNames = try f.strings("failedReferenceTaskNames") ?? []
        failedTaskNames = try f.strings("failedTaskNames") ?? []
        lastRetriedTime = try f.int64("lastRetriedTime") ?? 0
        reRunFromWorkflowId = try f.string("reRunFromWorkflowId")
        event = try f.string("event")
        idempotencyKey = try f.string("idempotencyKey")
        createdBy = try f.string("createdBy")
    }
}

/// Workflow definitions built from stored JSON, keyed by that JSON's text, shared by the readers of
/// one store. Bounded: when full it starts again, so a store of many one-off inline definitions
/// costs no more memory than this.
public final class WorkflowDefCache: Sendable {
    private let built = Mutex([String: WorkflowDef]())
    private let limit: Int

    public init(limit: Int = 256) { self.limit = limit }

    func definition(_ json: JSONValue) throws(EngineError) -> WorkflowDef {
        let key = JSONWriter.string(json)
        if let known = built.withLock({ $0[key] }) { return known }
        let made = try WorkflowDef(json: json, path: "workflow.workflowDefinition")
        built.withLock { cache in
            if cache.count >= limit { cache.removeAll(keepingCapacity: true) }
            cache[key] = made
        }
        return made
    }
}
