import BatonSupport
internal import CSQLite

/// A failed SQLite call: the extended result code, SQLite's message and the SQL (never bound values).
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var message: String
    public var sql: String?

    public init(code: Int32, message: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.sql = sql
    }

    /// The primary result code (the low byte of the extended one).
    public var primaryCode: Int32 { code & 0xFF }
    /// Busy or locked: another connection held the database past the busy timeout.
    public var isBusy: Bool { primaryCode == SQLITE_BUSY || primaryCode == SQLITE_LOCKED }
    public var isConstraintViolation: Bool { primaryCode == SQLITE_CONSTRAINT }

    public var description: String {
        var s = "SQLite error \(code): \(message)"
        if let sql { s += " [\(sql)]" }
        return s
    }
}

extension SQLiteError: RetryableError {
    /// Busy/locked errors pass once the other writer is done.
    public var isRetryable: Bool { isBusy }
}
