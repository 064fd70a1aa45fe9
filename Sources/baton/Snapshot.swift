import BatonSQLite
import Foundation

/// Snapshots of the database: `baton snapshot --db FILE OUT` and `POST /api/admin/snapshot`. A
/// snapshot is an ordinary Baton database; `baton serve --db COPY` starts exactly where it was taken.
enum Snapshot {
    /// From a serving database (a reader's view of the last commit).
    static func write(_ database: Database, to path: String) throws -> Int64 {
        try database.backup(to: path)
        return size(path)
    }

    /// From a database file, served or not (WAL lets a reader in beside a running server).
    static func copy(db: String, to path: String) throws -> Int64 {
        guard db != ":memory:", !db.isEmpty else { throw UsageError(description: "an in-memory database has no file to copy; use POST /api/admin/snapshot") }
        guard FileManager.default.fileExists(atPath: db) else { throw UsageError(description: "no database at \(db)") }
        let conn = try Connection(path: db)
        defer { conn.close() }
        try conn.executeScript("PRAGMA query_only=1;")
        try conn.backup(to: path)
        return size(path)
    }

    private static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
