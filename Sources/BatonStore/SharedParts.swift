import BatonEngine
import BatonSQLite
import BatonSupport
import Synchronization

/// The `shared_part` table seen from one store: workflow definitions and WorkflowTasks that many
/// execution rows refer to, each stored once per content (see migrations/0009_shared_parts.sql).
/// Content → id is remembered for the writer; id → built part for the readers. An id's content never
/// changes, so neither memory can go stale; both are bounded, starting again when full.
final class SharedParts: Sendable {
    private let ids = Mutex([Content: Int64]())
    private let definitions = Mutex([Int64: Built<WorkflowDef>]())
    private let workflowTasks = Mutex([Int64: Built<WorkflowTask>]())
    /// Built parts as the members a row's API form splices in (`partMembers`).
    private let definitionMembers = Mutex([Int64: Built<[UInt8]>]())
    private let workflowTaskMembers = Mutex([Int64: Built<[UInt8]>]())
    private let limit: Int

    init(limit: Int = 1024) { self.limit = limit }

    /// Content → id pairs learnt inside one write transaction: remembered only once it commits, since a
    /// rolled-back id may be given to other content later.
    struct Pending {
        fileprivate var ids: [Content: Int64] = [:]
    }

    /// The id of the part holding `json` (whose `ContentHash` is `hash`), stored now (in the caller's
    /// transaction) if it is new.
    func id(of json: [UInt8], hash: Int64, _ pending: inout Pending, _ conn: Connection) throws -> Int64 {
        let content = Content(json, hash: hash)
        if let id = pending.ids[content] ?? ids.withLock({ $0[content] }) { return id }
        let hash = SQLValue.integer(content.hash)
        let id = try conn.queryFirst("SELECT id FROM shared_part WHERE hash = ? AND json = ?", [hash, .utf8(json)]) { $0.int(0) }
            ?? conn.queryFirst("INSERT INTO shared_part (hash, json) VALUES (?, ?) RETURNING id", [hash, .utf8(json)]) { $0.int(0) }
        guard let id else { throw EngineError.invalid("shared_part: insert returned no id") }
        pending.ids[content] = id
        return id
    }

    func committed(_ pending: Pending) {
        guard !pending.ids.isEmpty else { return }
        ids.withLock { known in
            if known.count + pending.ids.count > limit { known.removeAll(keepingCapacity: true) }
            known.merge(pending.ids) { _, new in new }
        }
    }

    func definition(_ id: Int64, _ conn: Connection) throws -> WorkflowDef {
        try part(id, definitions, conn) { try WorkflowDef(json: $0, path: "workflow.workflowDefinition") }
    }

    func workflowTask(_ id: Int64, _ conn: Connection) throws -> WorkflowTask {
        try part(id, workflowTasks, conn) { try WorkflowTask(json: $0, path: "task.workflowTask") }
    }

    func definitionMembers(_ id: Int64, _ conn: Connection) throws -> [UInt8] {
        try part(id, definitionMembers, conn) { WorkflowModel.partMembers(try WorkflowDef(json: $0, path: "workflow.workflowDefinition")) }
    }

    func workflowTaskMembers(_ id: Int64, _ conn: Connection) throws -> [UInt8] {
        try part(id, workflowTaskMembers, conn) { TaskModel.partMembers(try WorkflowTask(json: $0, path: "task.workflowTask")) }
    }

    /// A built part behind one reference: every read of a row takes one from the cache under a lock
    /// shared by all readers, and a reference is one retain where the struct is one per field.
    private final class Built<P: Sendable>: Sendable {
        let part: P
        init(_ part: P) { self.part = part }
    }

    private func part<P: Sendable>(_ id: Int64, _ cache: borrowing Mutex<[Int64: Built<P>]>, _ conn: Connection,
                                   _ build: (JSONValue) throws -> P) throws -> P {
        if let known = cache.withLock({ $0[id] }) { return known.part }
        guard let text = try conn.queryFirst("SELECT json FROM shared_part WHERE id = ?", [.integer(id)], { $0.text(0) }) else {
            throw EngineError.invalid("shared_part \(id) is missing")
        }
        let made = try build(try JSONParser.parse(text))
        cache.withLock { built in
            if built.count >= limit { built.removeAll(keepingCapacity: true) }
            built[id] = Built(made)
        }
        return made
    }
}

/// A part's JSON as a dictionary key under its `ContentHash` (also the `hash` column), made once with
/// the model's bytes; equal hashes are confirmed byte for byte (at once when both are the same buffer).
private struct Content: Hashable, Sendable {
    let bytes: [UInt8]
    let hash: Int64

    init(_ bytes: [UInt8], hash: Int64) {
        self.bytes = bytes
        self.hash = hash
    }

    static func == (a: Content, b: Content) -> Bool { a.hash == b.hash && a.bytes == b.bytes }
    func hash(into hasher: inout Hasher) { hasher.combine(hash) }
}
