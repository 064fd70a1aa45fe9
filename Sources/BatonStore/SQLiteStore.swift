import BatonEngine
import BatonSQLite
import BatonSupport
import Foundation
import Synchronization

/// The SQLite-backed store: definitions now, executions as the engine grows. Opening it applies the
/// migrations the binary carries.
public final class SQLiteStore: Sendable {
    public let database: Database
    private let metadataGeneration = Atomic<UInt64>(0)
    public var generation: UInt64 { metadataGeneration.load(ordering: .acquiring) }
    /// Called after every definition write.
    func definitionsChanged() { metadataGeneration.add(1, ordering: .releasing) }
    private let log = Logger(label: "baton.store")
    /// Definitions of stored executions, built once for all the reads that repeat them.
    let definitionCache = WorkflowDefCache()
    /// Definitions and WorkflowTasks that execution rows refer to.
    let parts = SharedParts()

    /// The migrations compiled into this binary, in order.
    public static var migrations: [Migration] { EmbeddedMigrations.all }
    public static var schemaVersion: Int { migrations.map(\.version).max() ?? 0 }

    public init(path: String, synchronous: SynchronousMode = .full, busyTimeoutMillis: Int32 = 5000, readerCount: Int = 4, now: Int64) throws {
        // Look before touching: opening for writing switches the file to WAL, which a database from a
        // newer Baton must not get.
        try Self.refuseNewerSchema(path: path)
        database = try Database(path: path, synchronous: synchronous, busyTimeoutMillis: busyTimeoutMillis, readerCount: readerCount)
        do {
            let applied = try Migrator.migrate(database, migrations: Self.migrations, now: now)
            for m in applied { log.info("migration applied", ["version": String(m.version), "name": m.name]) }
        } catch {
            database.close()
            throw error
        }
    }

    public func close() { database.close() }

    private static func refuseNewerSchema(path: String) throws {
        guard path != ":memory:", !path.isEmpty, FileManager.default.fileExists(atPath: path) else { return }
        // `immutable=1`: no locks, no -wal/-shm files created beside it.
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%"))) ?? path
        let conn = try Connection(path: "file:\(encoded)?immutable=1", readOnly: true)
        defer { conn.close() }
        let hasTable = try conn.queryFirst("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") { _ in true } ?? false
        guard hasTable else { return }
        let version = Int(try conn.queryFirst("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") { $0.int(0) } ?? 0)
        if version > schemaVersion { throw SchemaTooNewError(databaseVersion: version, knownVersion: schemaVersion, path: path) }
    }
}

extension SQLiteStore: MetadataStore {
    private static func decodeTaskDef(_ text: String) throws -> TaskDef {
        try TaskDef(json: try JSONParser.parse(text))
    }

    private static func decodeWorkflowDef(_ text: String) throws -> WorkflowDef {
        try WorkflowDef(json: try JSONParser.parse(text))
    }

    public func taskDef(named name: String) throws -> TaskDef? {
        try database.read { conn in
            try conn.queryFirst("SELECT json FROM task_def WHERE name = ?", [.text(name)]) { try Self.decodeTaskDef($0.text(0)) }
        }
    }

    public func allTaskDefs() throws -> [TaskDef] {
        try database.read { conn in
            try conn.query("SELECT json FROM task_def ORDER BY name", []) { try Self.decodeTaskDef($0.text(0)) }
        }
    }

    public func saveTaskDefs(_ defs: [TaskDef]) throws {
        defer { definitionsChanged() }
        try database.write { conn in
            for def in defs {
                try conn.execute("""
                    INSERT INTO task_def (name, json, create_time, update_time) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET json = excluded.json, create_time = excluded.create_time,
                        update_time = excluded.update_time
                    """,
                    [.text(def.name), .text(JSONWriter.string(.object(def.json))),
                     .integer(def.json["createTime"]?.int64Value ?? 0), .integer(def.json["updateTime"]?.int64Value ?? 0)])
            }
        }
    }

    public func deleteTaskDef(named name: String) throws -> Bool {
        defer { definitionsChanged() }
        return try database.write { conn in try conn.execute("DELETE FROM task_def WHERE name = ?", [.text(name)]) > 0 }
    }

    public func workflowDef(name: String, version: Int?) throws -> WorkflowDef? {
        try database.read { conn in
            if let version {
                return try conn.queryFirst("SELECT json FROM workflow_def WHERE name = ? AND version = ?",
                                           [.text(name), .integer(Int64(version))]) { try Self.decodeWorkflowDef($0.text(0)) }
            }
            return try conn.queryFirst("SELECT json FROM workflow_def WHERE name = ? ORDER BY version DESC LIMIT 1",
                                       [.text(name)]) { try Self.decodeWorkflowDef($0.text(0)) }
        }
    }

    public func allWorkflowDefs() throws -> [WorkflowDef] {
        try database.read { conn in
            try conn.query("SELECT json FROM workflow_def ORDER BY name, version", []) { try Self.decodeWorkflowDef($0.text(0)) }
        }
    }

    public func latestWorkflowDefs() throws -> [WorkflowDef] {
        try database.read { conn in
            try conn.query("""
                SELECT json FROM workflow_def w
                WHERE version = (SELECT MAX(version) FROM workflow_def WHERE name = w.name) ORDER BY name
                """, []) { try Self.decodeWorkflowDef($0.text(0)) }
        }
    }

    public func createWorkflowDef(_ def: WorkflowDef) throws {
        defer { definitionsChanged() }
        do {
            try database.write { conn in
                try conn.execute("INSERT INTO workflow_def (name, version, json, create_time, update_time) VALUES (?, ?, ?, ?, ?)",
                                 Self.row(def))
            }
        } catch let e as SQLiteError where e.isConstraintViolation {
            throw EngineError.workflowDefExists(name: def.name, version: def.version)
        }
    }

    public func saveWorkflowDefs(_ defs: [WorkflowDef]) throws {
        defer { definitionsChanged() }
        try database.write { conn in
            for def in defs {
                try conn.execute("""
                    INSERT INTO workflow_def (name, version, json, create_time, update_time) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (name, version) DO UPDATE SET json = excluded.json, create_time = excluded.create_time,
                        update_time = excluded.update_time
                    """, Self.row(def))
            }
        }
    }

    public func deleteWorkflowDef(name: String, version: Int) throws -> Bool {
        defer { definitionsChanged() }
        return try database.write { conn in
            try conn.execute("DELETE FROM workflow_def WHERE name = ? AND version = ?", [.text(name), .integer(Int64(version))]) > 0
        }
    }

    private static func row(_ def: WorkflowDef) -> [SQLValue] {
        [.text(def.name), .integer(Int64(def.version)), .text(JSONWriter.string(.object(def.json))),
         .integer(def.createTime), .integer(def.updateTime)]
    }
}
