import BatonSupport

public enum WorkflowTimeoutPolicy: String, Sendable, CaseIterable {
    case timeOutWorkflow = "TIME_OUT_WF", alertOnly = "ALERT_ONLY"
}

/// A workflow definition: client JSON in OSS layout plus the typed fields the engine uses.
public struct WorkflowDef: Sendable, Equatable {
    public private(set) var json: JSONObject
    /// `json` as bytes, kept in step with it (spliced into every stored workflow row).
    public private(set) var serialized: [UInt8]
    /// `ContentHash` of `serialized`, made with it.
    public private(set) var serializedHash: Int64
    public var name: String
    public var version: Int
    public var tasks: [WorkflowTask]
    public var outputParameters: JSONObject
    public var inputTemplate: JSONObject
    public var variables: JSONObject
    public var failureWorkflow: String?
    public var failureWorkflowVersion: Int?
    public var schemaVersion: Int
    public var restartable: Bool
    public var timeoutSeconds: Int64
    public var timeoutPolicy: WorkflowTimeoutPolicy
    public var ownerEmail: String?
    /// Every node by reference name and the reference name of the node after it: the decider asks
    /// these on every pass, and walking the tree each time made wide workflows quadratic.
    private(set) var nodesByRef: [String: WorkflowTask] = [:]
    private(set) var nextRefByRef: [String: String] = [:]

    static let layout: [(String, JSONValue?)] = [
        ("createTime", 0), ("updateTime", 0), ("createdBy", nil), ("updatedBy", nil), ("ownerApp", nil), ("name", nil),
        ("description", nil), ("version", 1), ("tasks", []), ("inputParameters", []), ("outputParameters", [:]),
        ("failureWorkflow", nil), ("failureWorkflowVersion", nil), ("schemaVersion", 2), ("restartable", true),
        ("workflowStatusListenerEnabled", false), ("workflowStatusListenerSink", nil), ("ownerEmail", nil),
        ("timeoutPolicy", "ALERT_ONLY"), ("timeoutSeconds", 0), ("variables", [:]), ("inputTemplate", [:]),
        ("rateLimitConfig", nil), ("inputSchema", nil), ("outputSchema", nil), ("enforceSchema", true),
        ("cacheConfig", nil), ("metadata", [:]), ("maskedFields", []),
    ]

    public init(json value: JSONValue, path: String = "") throws(EngineError) {
        let f = try JSONFields(value, path: path)
        var json = Canonical.layout(f.object, Self.layout)
        try Canonical.coerce(&json, strings: ["createdBy", "updatedBy", "ownerApp", "name", "description", "failureWorkflow",
                                              "workflowStatusListenerSink", "ownerEmail"],
                             integers: ["createTime", "updateTime", "version", "schemaVersion", "timeoutSeconds", "failureWorkflowVersion"],
                             path: path)
        let g = JSONFields(json, path: path)
        name = try g.string("name") ?? ""
        version = try g.int("version") ?? 1
        outputParameters = try g.object("outputParameters") ?? JSONObject()
        inputTemplate = try g.object("inputTemplate") ?? JSONObject()
        variables = try g.object("variables") ?? JSONObject()
        failureWorkflow = try g.string("failureWorkflow")
        failureWorkflowVersion = try g.int("failureWorkflowVersion")
        schemaVersion = try g.int("schemaVersion") ?? 2
        restartable = try g.bool("restartable") ?? true
        timeoutSeconds = try g.int64("timeoutSeconds") ?? 0
        timeoutPolicy = try g.enumValue("timeoutPolicy", WorkflowTimeoutPolicy.self) ?? .alertOnly
        ownerEmail = try g.string("ownerEmail")
        _ = try g.strings("inputParameters")
        _ = try g.bool("enforceSchema")
        _ = try g.bool("workflowStatusListenerEnabled")
        tasks = try WorkflowTask.list(json["tasks"] ?? [], path: g.at("tasks"))
        json["tasks"] = .array(tasks.map { .object($0.json) })
        self.json = json
        serialized = JSONWriter.bytes(.object(json))
        serializedHash = ContentHash.of(serialized)
        for node in allTasks() where nodesByRef[node.taskReferenceName] == nil { nodesByRef[node.taskReferenceName] = node }
        for ref in nodesByRef.keys {
            if let next = computeNextTask(after: ref) { nextRefByRef[ref] = next.taskReferenceName }
        }
    }

    public static func == (a: WorkflowDef, b: WorkflowDef) -> Bool { a.serialized == b.serialized }

    public var createTime: Int64 { json["createTime"]?.int64Value ?? 0 }
    public var updateTime: Int64 { json["updateTime"]?.int64Value ?? 0 }

    /// Every node at any depth.
    public func allTasks() -> [WorkflowTask] { tasks.flatMap { $0.allTasks() } }

    public mutating func stamp(createTime: Int64, updateTime: Int64) {
        json["createTime"] = .int(createTime)
        json["updateTime"] = .int(updateTime)
        serialized = JSONWriter.bytes(.object(json))
        serializedHash = ContentHash.of(serialized)
    }
}
