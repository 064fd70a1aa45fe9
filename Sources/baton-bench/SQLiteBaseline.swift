import BatonSQLite
import BatonSupport
import Foundation

/// The bare SQLite cost of what a workflow start writes (a ~1 KB workflow row and a task row, one
/// transaction each), on this machine's disk: the denominator for Baton's start rate.
enum SQLiteBaseline {
    static func startInsertsPerSecond(path: String, synchronous: SynchronousMode, seconds: Double) throws -> Double {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try Database(path: path, synchronous: synchronous, readerCount: 0)
        defer { db.close() }
        try db.write { conn in
            try conn.executeScript("""
                CREATE TABLE workflow (workflow_id TEXT PRIMARY KEY, name TEXT, status TEXT, create_time INTEGER, json TEXT) STRICT;
                CREATE TABLE task (task_id TEXT PRIMARY KEY, workflow_id TEXT, seq INTEGER, status TEXT, visible_at INTEGER, json TEXT) STRICT;
                CREATE INDEX task_workflow ON task (workflow_id, seq);
                """)
        }
        let workflowJSON = #"{"status":"RUNNING","input":{"payload":"\#(String(repeating: "x", count: 900))"}}"#
        let taskJSON = #"{"status":"SCHEDULED","inputData":{"n":1},"\#(String(repeating: "y", count: 400))":1}"#
        var n = 0
        let deadline = monotonicNanos() + UInt64(seconds * 1e9)
        let t0 = monotonicNanos()
        while monotonicNanos() < deadline {
            let id = IDs.uuid()
            try db.write { conn in
                try conn.execute("INSERT INTO workflow VALUES (?, 'wf', 'RUNNING', ?, ?)", [.text(id), .integer(Int64(n)), .text(workflowJSON)])
                try conn.execute("INSERT INTO task VALUES (?, ?, 1, 'SCHEDULED', 0, ?)", [.text(IDs.uuid()), .text(id), .text(taskJSON)])
            }
            n += 1
        }
        return Double(n) / (Double(monotonicNanos() - t0) / 1e9)
    }
}
