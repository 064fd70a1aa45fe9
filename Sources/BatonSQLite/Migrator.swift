import BatonSupport

/// One numbered schema change, from `migrations/NNNN_name.sql`.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var sql: String
    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

/// The database was written by a newer Baton; it is left untouched.
public struct SchemaTooNewError: Error, CustomStringConvertible, Sendable {
    public var databaseVersion: Int
    public var knownVersion: Int
    public var path: String
    public init(databaseVersion: Int, knownVersion: Int, path: String) {
        self.databaseVersion = databaseVersion
        self.knownVersion = knownVersion
        self.path = path
    }
    public var description: String {
        "database \(path) has schema version \(databaseVersion), but this Baton knows versions up to \(knownVersion): it was written by a newer Baton; refusing to open it"
    }
}

/// Applies migrations in order, each in its own transaction, and records them in `schema_migrations`.
public enum Migrator {
    public static func migrate(_ db: Database, migrations: [Migration], now: Int64) throws -> [Migration] {
        let sorted = migrations.sorted { $0.version < $1.version }
        let known = sorted.last?.version ?? 0
        // Read first without writing: a newer database must not even get our bookkeeping table.
        let current = try db.read { conn -> Int in
            let hasTable = try conn.queryFirst(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'", []) { _ in true } ?? false
            guard hasTable else { return 0 }
            return Int(try conn.queryFirst("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", []) { $0.int(0) } ?? 0)
        }
        if current > known { throw SchemaTooNewError(databaseVersion: current, knownVersion: known, path: db.path) }
        var applied: [Migration] = []
        for m in sorted where m.version > current {
            try db.write { conn in
                try conn.executeScript("""
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT;
                    """)
                try conn.executeScript(m.sql)
                try conn.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                                 [.integer(Int64(m.version)), .text(m.name), .integer(now)])
            }
            applied.append(m)
        }
        return applied
    }
}
