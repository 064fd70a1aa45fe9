import BatonSupport
import Synchronization

/// The registered definitions, held in memory in front of their store. Definitions change rarely and
/// are read on every start (and by the decider for dynamic forks), so reads come from an immutable
/// snapshot that every write through the catalog replaces; the store stays the source of truth.
public final class DefinitionCatalog: MetadataStore, Sendable {
    private let store: any MetadataStore
    /// The snapshot, or nil when a write invalidated it (reloaded on the next read).
    private let current = Mutex<Snapshot?>(nil)
    private let generations = Atomic<UInt64>(0)
    /// Registered definitions prepared for starting (task definitions attached), by name and version,
    /// valid for one generation: every start and every schedule fire of a definition shares one.
    private let prepared = Mutex<(generation: UInt64, defs: [String: WorkflowDef])>((0, [:]))

    /// Every definition at one generation.
    final class Snapshot: Sendable {
        let generation: UInt64
        let taskDefs: [String: TaskDef]
        /// Versions of each workflow name, ascending.
        let workflowDefs: [String: [WorkflowDef]]
        let definitions: Definitions

        init(generation: UInt64, taskDefs: [TaskDef], workflowDefs: [WorkflowDef]) {
            self.generation = generation
            var tasks: [String: TaskDef] = [:]
            for d in taskDefs { tasks[d.name] = d }
            self.taskDefs = tasks
            var workflows: [String: [WorkflowDef]] = [:]
            for d in workflowDefs { workflows[d.name, default: []].append(d) }
            for k in workflows.keys { workflows[k]!.sort { $0.version < $1.version } }
            self.workflowDefs = workflows
            definitions = Definitions(taskDefs: tasks)
        }
    }

    public init(store: any MetadataStore) { self.store = store }

    public var generation: UInt64 { generations.load(ordering: .acquiring) }

    /// The current snapshot, loaded from the store if a write invalidated it.
    func snapshot() throws -> Snapshot {
        if let s = current.withLock({ $0 }) { return s }
        let generation = self.generation
        let s = Snapshot(generation: generation, taskDefs: try store.allTaskDefs(), workflowDefs: try store.allWorkflowDefs())
        current.withLock { if $0 == nil && self.generation == generation { $0 = s } }
        return s
    }

    /// Task definitions as the decider sees them (empty if the store cannot be read now).
    public var definitions: Definitions { (try? snapshot())?.definitions ?? Definitions() }

    private func changed() {
        generations.add(1, ordering: .releasing)
        current.withLock { $0 = nil }
    }

    // MARK: MetadataStore

    public func taskDef(named name: String) throws -> TaskDef? { try snapshot().taskDefs[name] }
    public func allTaskDefs() throws -> [TaskDef] { try snapshot().taskDefs.values.sorted { $0.name < $1.name } }

    public func saveTaskDefs(_ defs: [TaskDef]) throws {
        defer { changed() }
        try store.saveTaskDefs(defs)
    }

    public func deleteTaskDef(named name: String) throws -> Bool {
        defer { changed() }
        return try store.deleteTaskDef(named: name)
    }

    public func workflowDef(name: String, version: Int?) throws -> WorkflowDef? {
        guard let versions = try snapshot().workflowDefs[name] else { return nil }
        guard let version else { return versions.last }
        return versions.first { $0.version == version }
    }

    /// The registered definition (`version` nil: the latest) as `WorkflowFactory.prepare` makes it,
    /// prepared once per generation; nil when it is not registered.
    public func preparedWorkflowDef(name: String, version: Int?, ids: any IDSource) throws(EngineError) -> WorkflowDef? {
        let key = "\(name)\u{1}\(version.map(String.init) ?? "latest")"
        let generation = self.generation
        if let hit = prepared.withLock({ $0.generation == generation ? $0.defs[key] : nil }) { return hit }
        let registered: WorkflowDef?
        do { registered = try workflowDef(name: name, version: version) } catch { throw .storage(error) }
        guard let registered else { return nil }
        let def = try WorkflowFactory(metadata: self, ids: ids).prepare(registered)
        prepared.withLock { cache in
            if cache.generation != generation { cache = (generation, [:]) }
            cache.defs[key] = def
        }
        return def
    }

    public func allWorkflowDefs() throws -> [WorkflowDef] {
        let s = try snapshot()
        return s.workflowDefs.keys.sorted().flatMap { s.workflowDefs[$0]! }
    }

    public func latestWorkflowDefs() throws -> [WorkflowDef] {
        let s = try snapshot()
        return s.workflowDefs.keys.sorted().compactMap { s.workflowDefs[$0]!.last }
    }

    public func createWorkflowDef(_ def: WorkflowDef) throws {
        defer { changed() }
        try store.createWorkflowDef(def)
    }

    public func saveWorkflowDefs(_ defs: [WorkflowDef]) throws {
        defer { changed() }
        try store.saveWorkflowDefs(defs)
    }

    public func deleteWorkflowDef(name: String, version: Int) throws -> Bool {
        defer { changed() }
        return try store.deleteWorkflowDef(name: name, version: version)
    }
}
