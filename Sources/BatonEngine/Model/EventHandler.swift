import BatonSupport

/// An event handler: when a message arrives on `event` and `condition` holds, run `actions`.
public struct EventHandler: Sendable, Equatable {
    public var json: JSONObject
    public var name: String
    public var event: String
    public var condition: String?
    public var evaluatorType: String?
    public var actions: [JSONObject]
    public var active: Bool

    static let layout: [(String, JSONValue?)] = [
        ("name", nil), ("event", nil), ("condition", nil), ("actions", []), ("active", false), ("evaluatorType", nil),
    ]

    public init(json value: JSONValue) throws(EngineError) {
        let f = try JSONFields(value, path: "")
        var json = Canonical.layout(f.object, Self.layout)
        try Canonical.coerce(&json, strings: ["name", "event", "condition", "evaluatorType"], path: "")
        let g = JSONFields(json, path: "")
        name = try g.string("name") ?? ""
        event = try g.string("event") ?? ""
        condition = try g.string("condition")
        evaluatorType = try g.string("evaluatorType")
        active = try g.bool("active") ?? false
        var actions: [JSONObject] = []
        for (i, a) in (try g.array("actions") ?? []).enumerated() {
            guard case .object(let o) = a else { throw .invalid("actions[\(i)]: expected an object") }
            actions.append(o)
        }
        self.actions = actions
        self.json = json
        var errors: [ValidationError] = []
        if name.isEmpty { errors.append(ValidationError(path: "addEventHandler.arg0.name", message: "Missing event handler name")) }
        if event.isEmpty { errors.append(ValidationError(path: "addEventHandler.arg0.event", message: "Missing event location")) }
        if actions.isEmpty { errors.append(ValidationError(path: "addEventHandler.arg0.actions", message: "No actions specified. Please specify at-least one action")) }
        let known: Set<String> = ["start_workflow", "complete_task", "fail_task", "terminate_workflow", "update_workflow_variables"]
        for (i, a) in actions.enumerated() where !known.contains(a["action"]?.stringValue ?? "") {
            errors.append(ValidationError(path: "addEventHandler.arg0.actions[\(i)].action",
                                          message: "action must be one of \(known.sorted().joined(separator: ", "))"))
        }
        guard errors.isEmpty else { throw .validation(errors) }
    }
}

/// Where event handlers live. BatonStore implements it on SQLite.
public protocol EventHandlerStore: Sendable {
    func eventHandlers(forEvent event: String?) throws -> [EventHandler]
    /// Inserts; false when the name exists.
    func createEventHandler(_ handler: EventHandler) throws -> Bool
    /// Replaces; false when absent.
    func updateEventHandler(_ handler: EventHandler) throws -> Bool
    func deleteEventHandler(named name: String) throws -> Bool
}
