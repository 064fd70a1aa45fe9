import BatonSupport

/// A request to start a workflow (`StartWorkflowRequest`), validated as Conductor does.
public struct StartRequest: Sendable {
    public var name: String
    public var version: Int?
    public var correlationId: String?
    public var input: JSONObject
    public var taskToDomain: JSONObject
    public var workflowDef: WorkflowDef?
    public var priority: Int
    public var createdBy: String?
    public var idempotencyKey: String?

    public init(name: String, version: Int? = nil, input: JSONObject = JSONObject()) {
        self.name = name
        self.version = version
        self.input = input
        taskToDomain = JSONObject()
        priority = 0
    }

    public init(json value: JSONValue, path: String = "startWorkflow.arg0") throws(EngineError) {
        let f = try JSONFields(value, path: "")
        var errors: [ValidationError] = []
        let name = try f.string("name")
        if name == nil && f.object["workflowDef"] == nil {
            errors.append(ValidationError(path: "\(path).name", message: "Workflow name cannot be null or empty"))
        }
        let priority = try f.int("priority") ?? 0
        if priority < 0 { errors.append(ValidationError(path: "\(path).priority", message: "priority: \(priority) should be minimum 0", invalidValue: String(priority))) }
        if priority > 99 { errors.append(ValidationError(path: "\(path).priority", message: "priority: \(priority) should be maximum 99", invalidValue: String(priority))) }
        if let external = try f.string("externalInputPayloadStoragePath"), !external.isEmpty {
            throw .invalid("externalInputPayloadStoragePath is not supported by Baton: send the input inline")
        }
        var def: WorkflowDef?
        if let d = f.object["workflowDef"], !d.isNull {
            let parsed = try WorkflowDef(json: d, path: "\(path).workflowDef")
            errors += WorkflowDefValidator().validate(parsed, path: "\(path).workflowDef")
            def = parsed
        }
        guard errors.isEmpty else { throw .validation(errors) }
        if f.object["input"] == .null { throw .invalid("NULL input passed when starting workflow") }
        self.init(name: name ?? def?.name ?? "", version: try f.int("version"), input: try f.object("input") ?? JSONObject())
        self.priority = priority
        correlationId = try f.string("correlationId")
        taskToDomain = try Self.domains(f)
        workflowDef = def
        createdBy = try f.string("createdBy")
        idempotencyKey = try f.string("idempotencyKey")
    }

    private static func domains(_ f: JSONFields) throws(EngineError) -> JSONObject {
        var out = JSONObject()
        for (k, v) in try f.object("taskToDomain") ?? JSONObject() {
            guard case .string = v else { throw .invalid("taskToDomain.\(k): expected a string") }
            out[k] = v
        }
        return out
    }
}
