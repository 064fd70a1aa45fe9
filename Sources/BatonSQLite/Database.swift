import BatonSupport
import Synchronization
internal import CSQLite

/// How hard SQLite works to make a commit survive a power cut (`PRAGMA synchronous`). Both survive
/// `kill -9` in WAL mode; FULL also survives the machine losing power.
public enum SynchronousMode: String, Sendable, CaseIterable {
    case normal = "NORMAL", full = "FULL"
}

/// The database: one writer connection behind a mutex (SQLite allows one writer at a time anyway) and a
/// small pool of reader connections that WAL lets run beside it.
public final class Database: Sendable {
    public let path: String
    public let synchronous: SynchronousMode
    private let writer: Mutex<Connection?>
    private let readers: Mutex<[Connection]>
    private let readerAvailable: SemaphoreBox
    private let readerCount: Int
    private let log = Logger(label: "baton.sqlite")

    public var isInMemory: Bool { path == ":memory:" || path.isEmpty }

    public init(path: String, synchronous: SynchronousMode = .full, busyTimeoutMillis: Int32 = 5000, readerCount requestedReaders: Int = 4) throws {
        self.path = path
        self.synchronous = synchronous
        let w = try Connection(path: path, busyTimeoutMillis: busyTimeoutMillis)
        try w.executeScript("PRAGMA foreign_keys=ON;")
        if !(path == ":memory:" || path.isEmpty) {
            let mode = try w.queryFirst("PRAGMA journal_mode=WAL", []) { $0.text(0) }
            guard mode?.lowercased() == "wal" else {
                throw SQLiteError(code: SQLITE_ERROR, message: "cannot switch \(path) to WAL mode (got \(mode ?? "nothing"))")
            }
        }
        try w.executeScript("PRAGMA synchronous=\(synchronous.rawValue);")
        // A larger page cache keeps the writer from re-reading index pages on every batch. Checkpoints
        // every 10,000 WAL pages (40 MB) instead of 1,000: a checkpoint copies each page once however
        // often it changed since the last one, and the hot pages (the tails of tables and indexes)
        // change in every commit — measured, about 7% more end-to-end throughput.
        try w.executeScript("PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY; PRAGMA wal_autocheckpoint=10000;")
        writer = Mutex(w)
        // An in-memory database is private to its connection: every read goes through the writer.
        var pool: [Connection] = []
        if !(path == ":memory:" || path.isEmpty) {
            for _ in 0..<max(0, requestedReaders) {
                let r = try Connection(path: path, busyTimeoutMillis: busyTimeoutMillis)
                try r.executeScript("PRAGMA query_only=1;")
                pool.append(r)
            }
        }
        readerCount = pool.count
        readers = Mutex(pool)
        readerAvailable = SemaphoreBox(value: pool.count)
    }

    /// Runs `body` in one `BEGIN IMMEDIATE … COMMIT` transaction on the writer; any throw rolls back.
    /// `durable: false` commits without waiting for the disk (WAL `synchronous=NORMAL`): for changes
    /// nobody was promised, such as handing out a task, which survive a process crash anyway and are
    /// made durable by the next durable commit.
    @discardableResult
    public func write<T>(durable: Bool = true, _ body: (Connection) throws -> T) throws -> T {
        try writer.withLock { conn in
            guard let conn else { throw SQLiteError(code: SQLITE_MISUSE, message: "database is closed") }
            let relax = !durable && synchronous == .full && !isInMemory
            if relax { try conn.executeScript("PRAGMA synchronous=NORMAL;") }
            defer { if relax { _ = try? conn.executeScript("PRAGMA synchronous=FULL;") } }
            try conn.execute("BEGIN IMMEDIATE")
            do {
                let result = try body(conn)
                try conn.execute("COMMIT")
                return result
            } catch {
                if conn.isInTransaction { _ = try? conn.execute("ROLLBACK") }
                throw error
            }
        }
    }

    /// Runs `body` on a reader inside one read transaction (a consistent snapshot).
    public func read<T>(_ body: (Connection) throws -> T) throws -> T {
        if readerCount == 0 {
            return try writer.withLock { conn in
                guard let conn else { throw SQLiteError(code: SQLITE_MISUSE, message: "database is closed") }
                return try body(conn)
            }
        }
        readerAvailable.wait()
        defer { readerAvailable.signal() }
        guard let conn = readers.withLock({ $0.popLast() }) else {
            throw SQLiteError(code: SQLITE_MISUSE, message: "database is closed")
        }
        defer { readers.withLock { $0.append(conn) } }
        try conn.execute("BEGIN")
        defer { _ = try? conn.execute("COMMIT") }
        return try body(conn)
    }

    /// A consistent copy of the whole database in a new file at `path` (what `baton snapshot` and
    /// `POST /api/admin/snapshot` make): from a reader's snapshot of the last commit, so writes carry
    /// on meanwhile; an in-memory database is copied through its only connection.
    public func backup(to path: String) throws {
        if readerCount == 0 {
            try writer.withLock { conn in
                guard let conn else { throw SQLiteError(code: SQLITE_MISUSE, message: "database is closed") }
                try conn.backup(to: path)
            }
            return
        }
        try read { conn in try conn.backup(to: path) }
    }

    /// Checkpoints the WAL and closes every connection. Later calls throw.
    public func close() {
        writer.withLock { conn in
            if let c = conn {
                if !isInMemory { _ = try? c.executeScript("PRAGMA wal_checkpoint(TRUNCATE);") }
                c.close()
            }
            conn = nil
        }
        readers.withLock { pool in
            pool.forEach { $0.close() }
        }
    }
}
