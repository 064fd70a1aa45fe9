import BatonSupport

/// Builds new executions from definitions: task definitions attached, input template applied.
public struct WorkflowFactory {
    let metadata: any MetadataStore

    public init(metadata: any MetadataStore) { self.metadata = metadata }

    /// The definition snapshot an execution runs: every node without an inline `taskDefinition` gets the
    /// registered one, else an ad-hoc one (Conductor defaults for SIMPLE, no retries and no response
    /// timeout for every other type); SUB_WORKFLOW nodes without a version get the child's latest.
    public func prepare(_ def: WorkflowDef) throws -> WorkflowDef {
        var json = def.json
        var taskDefs: [String: TaskDef?] = [:]
        func lookup(_ name: String) throws -> TaskDef? {
            if let cached = taskDefs[name] { return cached }
            let found = try metadata.taskDef(named: name)
            taskDefs[name] = found
            return found
        }
        func attach(_ value: JSONValue) throws -> JSONValue {
            guard case .object(var task) = value else { return value }
            let name = task["name"]?.stringValue ?? ""
            let type = task["type"]?.stringValue ?? "SIMPLE"
            if (task["taskDefinition"] == nil || task["taskDefinition"] == .null) && !name.isEmpty {
                let def = try lookup(name) ?? TaskDef.adHoc(name: name, isSystemTask: type != TaskType.simple.rawValue)
                task["taskDefinition"] = .object(def.json)
            }
            if type == TaskType.subWorkflow.rawValue, case .object(var params)? = task["subWorkflowParam"],
               params["version"] == nil || params["version"] == .null, params["workflowDefinition"] == nil || params["workflowDefinition"] == .null {
                let child = params["name"]?.stringValue ?? ""
                guard let latest = try metadata.workflowDef(name: child, version: nil) else {
                    throw EngineError.notFound("The Task \(child) defined as a sub-workflow has no workflow definition available ")
                }
                params["version"] = .int(Int64(latest.version))
                task["subWorkflowParam"] = .object(params)
            }
            for key in ["defaultCase", "loopOver"] {
                if case .array(let list)? = task[key] { task[key] = .array(try list.map(attach)) }
            }
            if case .object(let cases)? = task["decisionCases"] {
                var out = JSONObject()
                for (k, v) in cases { out[k] = .array(try (v.arrayValue ?? []).map(attach)) }
                task["decisionCases"] = .object(out)
            }
            if case .array(let branches)? = task["forkTasks"] {
                task["forkTasks"] = .array(try branches.map { .array(try ($0.arrayValue ?? []).map(attach)) })
            }
            return .object(task)
        }
        json["tasks"] = .array(try (json["tasks"]?.arrayValue ?? []).map(attach))
        return try WorkflowDef(json: .object(json))
    }

    /// A RUNNING execution of `definition` (already prepared or not) with its input template applied.
    public func make(definition: WorkflowDef, input: JSONObject, now: Int64, prepared: Bool = false) throws -> WorkflowModel {
        let def = prepared ? definition : try prepare(definition)
        var wf = WorkflowModel(workflowId: IDs.uuid(), status: .running, definition: def)
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
