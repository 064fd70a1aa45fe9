import BatonSupport

/// Summary of one workflow definition version (`WorkflowDefSummary`).
public struct WorkflowDefSummary: Sendable, Equatable {
    public var name: String
    public var version: Int
    public var createTime: Int64
    public var updateTime: Int64
}

/// Registration, update, lookup and removal of task and workflow definitions, with Conductor's
/// validation and messages.
public final class MetadataService: Sendable {
    private let store: any MetadataStore
    private let clock: any TimeSource
    private let log = Logger(label: "baton.metadata")

    public init(store: any MetadataStore, clock: any TimeSource) {
        self.store = store
        self.clock = clock
    }

    // MARK: Task definitions

    /// `POST /metadata/taskdefs`: every definition upserted; none stored if one is invalid.
    public func registerTaskDefs(_ body: JSONValue) throws {
        guard case .array(let items) = body else {
            throw EngineError.invalid("expected a JSON array of task definitions")
        }
        guard !items.isEmpty else {
            throw EngineError.validation([ValidationError(path: "registerTaskDef.arg0", message: "TaskDefList is empty")])
        }
        var defs: [TaskDef] = []
        var errors: [ValidationError] = []
        for (i, item) in items.enumerated() {
            let path = "registerTaskDef.arg0[\(i)]"
            let def = try TaskDef(json: item, path: path)
            errors += def.validate(path: path)
            defs.append(def)
        }
        guard errors.isEmpty else { throw EngineError.validation(errors) }
        let now = clock.now
        for i in defs.indices { defs[i].stamp(createTime: now, updateTime: 0, createdBy: defs[i].json["createdBy"]?.stringValue ?? "") }
        try store.saveTaskDefs(defs)
        log.info("task definitions registered", ["names": defs.map { $0.name }.joined(separator: ",")])
    }

    /// `PUT /metadata/taskdefs`: replaces an existing definition (404 when absent), keeping its creation time.
    public func updateTaskDef(_ body: JSONValue) throws {
        let path = "updateTaskDef.arg0"
        var def = try TaskDef(json: body, path: path)
        let errors = def.validate(path: path)
        guard errors.isEmpty else { throw EngineError.validation(errors) }
        guard let existing = try store.taskDef(named: def.name) else {
            throw EngineError.taskDefToUpdateNotFound(name: def.name)
        }
        def.stamp(createTime: existing.json["createTime"]?.int64Value ?? 0, updateTime: clock.now,
                  createdBy: existing.json["createdBy"]?.stringValue)
        try store.saveTaskDefs([def])
        log.info("task definition updated", ["name": def.name])
    }

    public func taskDef(named name: String) throws -> TaskDef {
        guard let def = try store.taskDef(named: name) else {
            throw EngineError.taskDefNotFound(name: name)
        }
        return def
    }

    public func allTaskDefs() throws -> [TaskDef] { try store.allTaskDefs() }

    public func deleteTaskDef(named name: String) throws {
        // OSS on SQL stores answers 500 here; a 404 is what the caller can act on.
        guard try store.deleteTaskDef(named: name) else {
            throw EngineError.taskDefToDeleteNotFound(name: name)
        }
        log.info("task definition deleted", ["name": name])
    }

    // MARK: Workflow definitions

    /// Decodes and validates one definition; `path` prefixes error paths as OSS does.
    public func validatedWorkflowDef(_ body: JSONValue, path: String) throws -> WorkflowDef {
        let def = try WorkflowDef(json: body, path: path)
        let errors = validator().validate(def, path: path)
        guard errors.isEmpty else { throw EngineError.validation(errors) }
        return def
    }

    private func validator() -> WorkflowDefValidator {
        WorkflowDefValidator(taskDefNamed: { [store] in try? store.taskDef(named: $0) })
    }

    /// `POST /metadata/workflow?overwrite=`: 409 when the name+version exists and `overwrite` is false.
    public func registerWorkflowDef(_ body: JSONValue, overwrite: Bool) throws {
        let name = body["name"]?.stringValue ?? ""
        let version = body["version"]?.int64Value.map { Int($0) } ?? 1
        let existing = name.isEmpty ? nil : try store.workflowDef(name: name, version: version)
        if existing != nil && overwrite {
            var def = try validatedWorkflowDef(body, path: "updateWorkflowDef.arg0")
            def.stamp(createTime: existing?.createTime ?? 0, updateTime: clock.now)
            try store.saveWorkflowDefs([def])
            log.info("workflow definition updated", ["name": def.name, "version": String(def.version)])
            return
        }
        var def = try validatedWorkflowDef(body, path: "registerWorkflowDef.arg0")
        if existing != nil { throw EngineError.workflowDefExists(name: def.name, version: def.version) }
        def.stamp(createTime: clock.now, updateTime: def.updateTime)
        try store.createWorkflowDef(def)
        log.info("workflow definition registered", ["name": def.name, "version": String(def.version)])
    }

    /// `PUT /metadata/workflow`: validates the whole list first, then upserts every definition.
    /// Returns the names stored (BulkResponse successes).
    public func updateWorkflowDefs(_ body: JSONValue) throws -> [String] {
        guard case .array(let items) = body else {
            throw EngineError.invalid("expected a JSON array of workflow definitions")
        }
        guard !items.isEmpty else {
            throw EngineError.validation([ValidationError(path: "updateWorkflowDef.arg0", message: "WorkflowDefList is empty")])
        }
        var defs: [WorkflowDef] = []
        var errors: [ValidationError] = []
        let validator = validator()
        for (i, item) in items.enumerated() {
            let path = "updateWorkflowDef.arg0[\(i)]"
            let def = try WorkflowDef(json: item, path: path)
            errors += validator.validate(def, path: path)
            defs.append(def)
        }
        guard errors.isEmpty else { throw EngineError.validation(errors) }
        let now = clock.now
        for i in defs.indices {
            // Creation time survives an update (OSS takes it from the body, which clients leave at 0).
            let existing = try store.workflowDef(name: defs[i].name, version: defs[i].version)
            defs[i].stamp(createTime: existing?.createTime ?? now, updateTime: existing == nil ? 0 : now)
        }
        try store.saveWorkflowDefs(defs)
        log.info("workflow definitions saved", ["names": defs.map { $0.name }.joined(separator: ",")])
        return defs.map { $0.name }
    }

    public func workflowDef(name: String, version: Int?) throws -> WorkflowDef {
        guard let def = try store.workflowDef(name: name, version: version) else {
            throw EngineError.workflowDefNotFoundByName(name: name, version: version)
        }
        return def
    }

    public func allWorkflowDefs() throws -> [WorkflowDef] { try store.allWorkflowDefs() }
    public func latestWorkflowDefs() throws -> [WorkflowDef] { try store.latestWorkflowDefs() }

    public func workflowNames() throws -> [String] {
        Array(Set(try store.latestWorkflowDefs().map { $0.name })).sorted()
    }

    /// Every version of every name, versions ascending.
    public func workflowVersionsByName() throws -> [(name: String, versions: [WorkflowDefSummary])] {
        var grouped: [String: [WorkflowDefSummary]] = [:]
        var order: [String] = []
        for def in try store.allWorkflowDefs() {
            if grouped[def.name] == nil { order.append(def.name) }
            grouped[def.name, default: []].append(WorkflowDefSummary(name: def.name, version: def.version, createTime: def.createTime, updateTime: def.updateTime))
        }
        return order.map { ($0, grouped[$0]!.sorted { $0.version < $1.version }) }
    }

    public func workflowVersions(name: String) throws -> [WorkflowDefSummary] {
        try workflowVersionsByName().first { $0.name == name }?.versions ?? []
    }

    public func deleteWorkflowDef(name: String, version: Int) throws {
        guard try store.deleteWorkflowDef(name: name, version: version) else {
            throw EngineError.workflowDefToDeleteNotFound(name: name, version: version)
        }
        log.info("workflow definition deleted", ["name": name, "version": String(version)])
    }
}
