import BatonSupport

/// Builds new executions from definitions: task definitions attached, input template applied.
public struct WorkflowFactory {
    let metadata: any MetadataStore
    let ids: any IDSource

    public init(metadata: any MetadataStore, ids: any IDSource) {
        self.metadata = metadata
        self.ids = ids
    }

    /// The definition snapshot an execution runs: every node without an inline `taskDefinition` gets the
    /// registered one, else an ad-hoc one (Conductor defaults for SIMPLE, no retries and no response
    /// timeout for every other type); SUB_WORKFLOW nodes without a version get the child's latest.
    public func prepare(_ def: WorkflowDef) throws(EngineError) -> WorkflowDef {
        var json = def.json
        var taskDefs: [String: TaskDef?] = [:]
        func lookup(_ name: String) throws(EngineError) -> TaskDef? {
            if let cached = taskDefs[name] { return cached }
            let found: TaskDef?
            do { found = try metadata.taskDef(named: name) } catch { throw .storage(error) }
            taskDefs[name] = found
            return found
        }
        func attach(_ value: JSONValue) throws(EngineError) -> JSONValue {
            guard case .object(var task) = value else { return value }
            let name = task["name"]?.stringValue ?? ""
            let type = task["type"]?.stringValue ?? TaskType.simple.rawValue
            let node = TaskType(nodeType: type)
            if (task["taskDefinition"] == nil || task["taskDefinition"] == .null) && !name.isEmpty {
                // Only SIMPLE nodes get a worker's defaults (custom types too are treated as OSS does).
                let def = try lookup(name) ?? TaskDef.adHoc(name: name, isSystemTask: node != .simple)
                task["taskDefinition"] = .object(def.json)
            }
            if node == .subWorkflow, case .object(var params)? = task["subWorkflowParam"],
               params["version"] == nil || params["version"] == .null, params["workflowDefinition"] == nil || params["workflowDefinition"] == .null {
                let child = params["name"]?.stringValue ?? ""
                let latest: WorkflowDef?
                do { latest = try metadata.workflowDef(name: child, version: nil) } catch { throw .storage(error) }
                guard let latest else { throw .subWorkflowDefMissing(name: child) }
                params["version"] = .int(Int64(latest.version))
                task["subWorkflowParam"] = .object(params)
            }
            for key in ["defaultCase", "loopOver"] {
                if case .array(let list)? = task[key] {
                    var out: [JSONValue] = []
                    for item in list { out.append(try attach(item)) }
                    task[key] = .array(out)
                }
            }
            if case .object(let cases)? = task["decisionCases"] {
                var out = JSONObject()
                for (k, v) in cases {
                    var list: [JSONValue] = []
                    for item in v.arrayValue ?? [] { list.append(try attach(item)) }
                    out[k] = .array(list)
                }
                task["decisionCases"] = .object(out)
            }
            if case .array(let branches)? = task["forkTasks"] {
                var out: [JSONValue] = []
                for branch in branches {
                    var list: [JSONValue] = []
                    for item in branch.arrayValue ?? [] { list.append(try attach(item)) }
                    out.append(.array(list))
                }
                task["forkTasks"] = .array(out)
            }
            return .object(task)
        }
        var tasks: [JSONValue] = []
        for item in json["tasks"]?.arrayValue ?? [] { tasks.append(try attach(item)) }
        json["tasks"] = .array(tasks)
        return try WorkflowDef(json: .object(json))
    }

    /// A RUNNING execution of `definition` (already prepared or not) with its input template applied.
    /// The workflow a start request makes from its (prepared) definition, with the request's options.
    public func make(_ request: StartRequest, definition: WorkflowDef, now: Int64) throws(EngineError) -> WorkflowModel {
        var wf = try make(definition: definition, input: request.input, now: now, prepared: true)
        wf.correlationId = request.correlationId
        wf.priority = request.priority
        wf.taskToDomain = request.taskToDomain
        wf.createdBy = request.createdBy
        wf.idempotencyKey = request.idempotencyKey
        return wf
    }

    public func make(definition: WorkflowDef, input: JSONObject, now: Int64, prepared: Bool = false) throws(EngineError) -> WorkflowModel {
        let def = prepared ? definition : try prepare(definition)
        var wf = WorkflowModel(workflowId: ids.next(), status: .running, definition: def)
        var merged = input
        // OSS applies the template only to a non-empty input.
        if !input.isEmpty {
            for (k, v) in def.inputTemplate where merged[k] == nil { merged[k] = v }
        }
        wf.input = merged
        wf.variables = def.variables
        wf.createTime = now
        wf.updateTime = now
        return wf
    }
}
