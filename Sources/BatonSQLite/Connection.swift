internal import CSQLite
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

private let SQLITE_TRANSIENT = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// One SQLite connection with a cache of prepared statements. Not thread-safe by itself: `Database`
/// keeps each connection inside a `Mutex` (the writer) or hands it to one thread at a time from its
/// pool (readers), which is why the unchecked `Sendable` is sound.
public final class Connection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: Statement] = [:]
    public let path: String

    /// Opens (creating if needed) the database at `path`, `:memory:` included.
    public init(path: String, readOnly: Bool = false, busyTimeoutMillis: Int32 = 5000) throws(SQLiteError) {
        self.path = path
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
            | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: "\(message) (\(path))")
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
        sqlite3_busy_timeout(db, busyTimeoutMillis)
    }

    deinit { close() }

    /// Finalizes statements and closes; safe to call twice.
    public func close() {
        statements.removeAll()
        if let h = handle {
            sqlite3_close_v2(h)
            handle = nil
        }
    }

    private func db() throws(SQLiteError) -> OpaquePointer {
        guard let handle else { throw SQLiteError(code: SQLITE_MISUSE, message: "connection is closed") }
        return handle
    }

    func error(_ code: Int32, sql: String?) -> SQLiteError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection is closed"
        return SQLiteError(code: handle.map { sqlite3_extended_errcode($0) } ?? code, message: message, sql: sql)
    }

    /// Copies this connection's main database, as one consistent snapshot, into a new file at `path`
    /// (SQLite's online backup API in a single step, so no writer can change it half-way). Written
    /// beside the target and renamed over it: a reader of `path` never sees half a copy.
    public func backup(to path: String) throws(SQLiteError) {
        let partial = path + ".partial"
        unlink(partial)
        var dest: OpaquePointer?
        var rc = sqlite3_open_v2(partial, &dest, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let dest else {
            let message = dest.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(dest)
            throw SQLiteError(code: rc, message: "\(message) (\(path))")
        }
        guard let backup = sqlite3_backup_init(dest, "main", try db(), "main") else {
            let e = SQLiteError(code: sqlite3_extended_errcode(dest), message: String(cString: sqlite3_errmsg(dest)))
            sqlite3_close_v2(dest)
            unlink(partial)
            throw e
        }
        rc = sqlite3_backup_step(backup, -1)
        sqlite3_backup_finish(backup)
        let message = String(cString: sqlite3_errmsg(dest))
        sqlite3_close_v2(dest)
        guard rc == SQLITE_DONE else {
            unlink(partial)
            throw SQLiteError(code: rc, message: "backup to \(path) failed: \(message)")
        }
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw SQLiteError(code: SQLITE_CANTOPEN, message: "cannot move the backup into place at \(path) (errno \(errno))")
        }
    }

    /// Runs SQL text that may hold several statements and no parameters (schema scripts, pragmas).
    public func executeScript(_ sql: String) throws(SQLiteError) {
        var errorMessage: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(try db(), sql, nil, nil, &errorMessage)
        if rc != SQLITE_OK {
            let message = errorMessage.map { String(cString: $0) } ?? "error"
            sqlite3_free(errorMessage)
            throw SQLiteError(code: sqlite3_extended_errcode(try db()), message: message, sql: sql)
        }
    }

    /// Prepares once per connection and reuses the statement.
    func statement(_ sql: String) throws(SQLiteError) -> Statement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(try db(), sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw error(rc, sql: sql) }
        let statement = Statement(stmt, sql: sql, connection: self)
        statements[sql] = statement
        return statement
    }

    /// Runs one statement; returns the number of rows it changed.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [SQLValue] = []) throws(SQLiteError) -> Int {
        let s = try statement(sql)
        defer { s.reset() }
        try s.bind(parameters)
        while try s.step() {}
        return Int(sqlite3_changes(try db()))
    }

    /// Runs a query and maps each row.
    public func query<T>(_ sql: String, _ parameters: [SQLValue] = [], _ map: (Row) throws -> T) throws -> [T] {
        let s = try statement(sql)
        defer { s.reset() }
        try s.bind(parameters)
        var out: [T] = []
        while try s.step() { out.append(try map(Row(statement: s))) }
        return out
    }

    /// The first row mapped, or nil.
    public func queryFirst<T>(_ sql: String, _ parameters: [SQLValue] = [], _ map: (Row) throws -> T) throws -> T? {
        let s = try statement(sql)
        defer { s.reset() }
        try s.bind(parameters)
        guard try s.step() else { return nil }
        return try map(Row(statement: s))
    }

    public var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }
    public var isInTransaction: Bool { handle.map { sqlite3_get_autocommit($0) == 0 } ?? false }
}

/// A prepared statement owned by a connection's cache.
final class Statement {
    let handle: OpaquePointer
    let sql: String
    unowned let connection: Connection

    init(_ handle: OpaquePointer, sql: String, connection: Connection) {
        self.handle = handle
        self.sql = sql
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    func bind(_ values: [SQLValue]) throws(SQLiteError) {
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard expected == values.count else {
            throw SQLiteError(code: SQLITE_RANGE, message: "expected \(expected) parameters, got \(values.count)", sql: sql)
        }
        for (i, v) in values.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch v {
            case .null: rc = sqlite3_bind_null(handle, index)
            case .integer(let n): rc = sqlite3_bind_int64(handle, index, n)
            case .real(let d): rc = sqlite3_bind_double(handle, index, d)
            case .text(let s): rc = sqlite3_bind_text(handle, index, s, -1, SQLITE_TRANSIENT)
            case .utf8(let b):
                if b.isEmpty {
                    rc = sqlite3_bind_text(handle, index, "", 0, SQLITE_TRANSIENT)
                } else {
                    rc = b.withUnsafeBufferPointer { buffer in
                        buffer.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
                    }
                }
            case .blob(let b):
                rc = b.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress, Int32($0.count), SQLITE_TRANSIENT) }
            }
            guard rc == SQLITE_OK else { throw connection.error(rc, sql: sql) }
        }
    }

    /// True when a row is ready, false when done.
    func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(handle)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw connection.error(rc, sql: sql)
    }
}

/// The current row of a query.
public struct Row {
    let statement: Statement

    public var columnCount: Int { Int(sqlite3_column_count(statement.handle)) }

    public func isNull(_ i: Int) -> Bool { sqlite3_column_type(statement.handle, Int32(i)) == SQLITE_NULL }
    public func int(_ i: Int) -> Int64 { sqlite3_column_int64(statement.handle, Int32(i)) }
    public func double(_ i: Int) -> Double { sqlite3_column_double(statement.handle, Int32(i)) }

    public func text(_ i: Int) -> String {
        guard let p = sqlite3_column_text(statement.handle, Int32(i)) else { return "" }
        let n = Int(sqlite3_column_bytes(statement.handle, Int32(i)))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    public func optionalText(_ i: Int) -> String? { isNull(i) ? nil : text(i) }

    /// The column's bytes (text or blob), without a String in between.
    public func bytes(_ i: Int) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(statement.handle, Int32(i)))
        guard n > 0, let p = sqlite3_column_blob(statement.handle, Int32(i)) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    public func value(_ i: Int) -> SQLValue {
        switch sqlite3_column_type(statement.handle, Int32(i)) {
        case SQLITE_NULL: .null
        case SQLITE_INTEGER: .integer(int(i))
        case SQLITE_FLOAT: .real(double(i))
        case SQLITE_BLOB: .blob(bytes(i))
        default: .text(text(i))
        }
    }
}
