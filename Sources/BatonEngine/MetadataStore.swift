/// What the engine needs from storage for definitions. BatonStore implements it on SQLite.
public protocol MetadataStore: Sendable {
    /// Changes whenever any definition is written: lets readers cache what they derive from definitions.
    var generation: UInt64 { get }
    func taskDef(named name: String) throws -> TaskDef?
    func allTaskDefs() throws -> [TaskDef]
    /// Inserts or replaces each definition, all in one transaction.
    func saveTaskDefs(_ defs: [TaskDef]) throws
    /// Removes the definition; false when there was none.
    func deleteTaskDef(named name: String) throws -> Bool

    /// A version of a workflow definition, the latest when `version` is nil.
    func workflowDef(name: String, version: Int?) throws -> WorkflowDef?
    /// Every version of every definition, ordered by name then version.
    func allWorkflowDefs() throws -> [WorkflowDef]
    /// The highest version of each name.
    func latestWorkflowDefs() throws -> [WorkflowDef]
    /// Inserts; throws `EngineError.workflowDefExists` when the name+version exists.
    func createWorkflowDef(_ def: WorkflowDef) throws
    /// Inserts or replaces each definition, all in one transaction.
    func saveWorkflowDefs(_ defs: [WorkflowDef]) throws
    func deleteWorkflowDef(name: String, version: Int) throws -> Bool
}
