import BatonSupport

/// A node of a workflow definition. `json` keeps the client's fields in OSS's layout; the typed
/// properties are what the engine reads.
public struct WorkflowTask: Sendable, Equatable {
    public private(set) var json: JSONObject
    /// `json` as bytes, made once: every task attempt carries its node, and writing it field by field
    /// on each task update was the engine's largest cost.
    public private(set) var serialized: [UInt8]
    /// `ContentHash` of `serialized`, made with it.
    public private(set) var serializedHash: Int64
    public var name: String
    public var taskReferenceName: String
    /// The `type` string as given (`SIMPLE` when absent); see `taskType`.
    public var type: String
    public var inputParameters: JSONObject
    public var optional: Bool
    public var permissive: Bool
    public var asyncComplete: Bool
    public var startDelay: Int
    public var retryCount: Int?
    public var taskDefinition: TaskDef?
    public var decisionCases: [(caseValue: String, tasks: [WorkflowTask])]
    public var defaultCase: [WorkflowTask]
    public var forkTasks: [[WorkflowTask]]
    public var joinOn: [String]
    public var loopOver: [WorkflowTask]
    public var loopCondition: String?
    public var evaluatorType: String?
    public var expression: String?
    public var caseValueParam: String?
    public var caseExpression: String?
    public var dynamicTaskNameParam: String?
    public var dynamicForkTasksParam: String?
    public var dynamicForkTasksInputParamName: String?
    public var dynamicForkJoinTasksParam: String?
    public var subWorkflowParam: JSONObject?
    public var sink: String?
    public var defaultExclusiveJoinTask: [String]

    /// The built-in type, or nil for a worker task of a custom type.
    public var taskType: TaskType? { TaskType(nodeType: type) }

    static let layout: [(String, JSONValue?)] = [
        ("name", nil), ("taskReferenceName", nil), ("description", nil), ("inputParameters", [:]), ("type", .string(TaskType.simple.rawValue)),
        ("dynamicTaskNameParam", nil), ("caseValueParam", nil), ("caseExpression", nil), ("scriptExpression", nil),
        ("decisionCases", [:]), ("dynamicForkJoinTasksParam", nil), ("dynamicForkTasksParam", nil),
        ("dynamicForkTasksInputParamName", nil), ("defaultCase", []), ("forkTasks", []), ("startDelay", 0),
        ("subWorkflowParam", nil), ("joinOn", []), ("sink", nil), ("optional", false), ("taskDefinition", nil),
        ("rateLimited", nil), ("defaultExclusiveJoinTask", []), ("asyncComplete", false), ("loopCondition", nil),
        ("loopOver", []), ("retryCount", nil), ("evaluatorType", nil), ("expression", nil), ("onStateChange", [:]),
        ("joinStatus", nil), ("cacheConfig", nil), ("permissive", false), ("joinMode", nil), ("items", nil), ("metadata", [:]),
    ]

    public init(json value: JSONValue, path: String) throws(EngineError) {
        let f = try JSONFields(value, path: path)
        var source = f.object
        // `workflowTaskType` is a write-only alias some clients send instead of `type`.
        if source["type"] == nil || source["type"] == .null, let alias = source["workflowTaskType"], !alias.isNull {
            source["type"] = alias
        }
        source["workflowTaskType"] = nil
        var json = Canonical.layout(source, Self.layout)
        try Canonical.coerce(&json, strings: ["name", "taskReferenceName", "description", "type", "dynamicTaskNameParam",
                                              "caseValueParam", "caseExpression", "scriptExpression", "dynamicForkJoinTasksParam",
                                              "dynamicForkTasksParam", "dynamicForkTasksInputParamName", "sink", "loopCondition",
                                              "evaluatorType", "expression", "joinStatus"],
                             integers: ["startDelay", "retryCount"], path: path)
        let g = JSONFields(json, path: path)
        name = try g.string("name") ?? ""
        taskReferenceName = try g.string("taskReferenceName") ?? ""
        type = try g.string("type") ?? TaskType.simple.rawValue
        inputParameters = try g.object("inputParameters") ?? JSONObject()
        optional = try g.bool("optional") ?? false
        permissive = try g.bool("permissive") ?? false
        asyncComplete = try g.bool("asyncComplete") ?? false
        startDelay = try g.int("startDelay") ?? 0
        retryCount = try g.int("retryCount")
        loopCondition = try g.string("loopCondition")
        evaluatorType = try g.string("evaluatorType")
        expression = try g.string("expression")
        caseValueParam = try g.string("caseValueParam")
        caseExpression = try g.string("caseExpression")
        dynamicTaskNameParam = try g.string("dynamicTaskNameParam")
        dynamicForkTasksParam = try g.string("dynamicForkTasksParam")
        dynamicForkTasksInputParamName = try g.string("dynamicForkTasksInputParamName")
        dynamicForkJoinTasksParam = try g.string("dynamicForkJoinTasksParam")
        subWorkflowParam = try g.object("subWorkflowParam")
        sink = try g.string("sink")
        joinOn = try g.strings("joinOn") ?? []
        defaultExclusiveJoinTask = try g.strings("defaultExclusiveJoinTask") ?? []
        _ = try g.object("onStateChange")

        if let td = try g.object("taskDefinition") {
            let def = try TaskDef(json: .object(td), path: g.at("taskDefinition"))
            taskDefinition = def
            json["taskDefinition"] = .object(def.json)
        } else {
            taskDefinition = nil
        }

        var cases: [(String, [WorkflowTask])] = []
        var casesJSON = JSONObject()
        for (caseValue, list) in try g.object("decisionCases") ?? JSONObject() {
            let tasks = try Self.list(list, path: "\(g.at("decisionCases"))[\(caseValue)]")
            cases.append((caseValue, tasks))
            casesJSON[caseValue] = .array(tasks.map { .object($0.json) })
        }
        decisionCases = cases
        json["decisionCases"] = .object(casesJSON)

        defaultCase = try Self.list(json["defaultCase"] ?? [], path: g.at("defaultCase"))
        json["defaultCase"] = .array(defaultCase.map { .object($0.json) })
        loopOver = try Self.list(json["loopOver"] ?? [], path: g.at("loopOver"))
        json["loopOver"] = .array(loopOver.map { .object($0.json) })

        var forks: [[WorkflowTask]] = []
        for (i, branch) in (try g.array("forkTasks") ?? []).enumerated() {
            forks.append(try Self.list(branch, path: "\(g.at("forkTasks"))[\(i)]"))
        }
        forkTasks = forks
        json["forkTasks"] = .array(forks.map { b in .array(b.map { .object($0.json) }) })
        self.json = json
        serialized = JSONWriter.bytes(.object(json))
        serializedHash = ContentHash.of(serialized)
    }

    static func list(_ value: JSONValue, path: String) throws(EngineError) -> [WorkflowTask] {
        if value.isNull { return [] }
        guard case .array(let items) = value else {
            throw .invalid("\(path): expected an array of tasks, got \(value.typeName)")
        }
        var out: [WorkflowTask] = []
        for (i, item) in items.enumerated() { out.append(try WorkflowTask(json: item, path: "\(path)[\(i)]")) }
        return out
    }

    public static func == (a: WorkflowTask, b: WorkflowTask) -> Bool { a.serialized == b.serialized }

    /// This node and every node nested in it (branches, forks, loop bodies), depth first.
    public func allTasks() -> [WorkflowTask] {
        var out = [self]
        for (_, list) in decisionCases { for t in list { out += t.allTasks() } }
        for t in defaultCase { out += t.allTasks() }
        for branch in forkTasks { for t in branch { out += t.allTasks() } }
        for t in loopOver { out += t.allTasks() }
        return out
    }
}
