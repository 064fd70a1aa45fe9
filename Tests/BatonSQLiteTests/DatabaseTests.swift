import BatonSQLite
import BatonTestSupport
import Foundation
import Testing

@Suite struct DatabaseTests {
    private func open(_ tmp: TemporaryDatabase) throws -> Database {
        let db = try Database(path: tmp.path, readerCount: 2)
        try db.write { try $0.executeScript("CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER NOT NULL) STRICT;") }
        return db
    }

    @Test func writesCommitAndReadersSeeThem() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try open(tmp)
        try db.write { try $0.execute("INSERT INTO t VALUES (?, ?)", [.text("a"), .integer(1)]) }
        let v = try db.read { try $0.queryFirst("SELECT v FROM t WHERE k = ?", [.text("a")]) { $0.int(0) } }
        #expect(v == 1)
        db.close()
    }

    @Test func utf8BytesBindAsText() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try open(tmp)
        try db.write { conn in
            try conn.execute("INSERT INTO t VALUES (?, 1)", [.utf8(Array("héllo \u{1F600}".utf8))])
            try conn.execute("INSERT INTO t VALUES (?, 2)", [.utf8([])])
        }
        let rows = try db.read { conn in
            try conn.query("SELECT k, typeof(k) FROM t ORDER BY v", []) { "\($0.text(0))|\($0.text(1))" }
        }
        #expect(rows == ["héllo \u{1F600}|text", "|text"])
        #expect(try db.read { try $0.queryFirst("SELECT v FROM t WHERE k = ?", [.text("héllo \u{1F600}")]) { $0.int(0) } } == 1)
        db.close()
    }

    @Test func aThrowRollsTheWholeTransactionBack() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try open(tmp)
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try db.write { conn in
                try conn.execute("INSERT INTO t VALUES ('a', 1)")
                throw Boom()
            }
        }
        let count = try db.read { try $0.queryFirst("SELECT COUNT(*) FROM t") { $0.int(0) } }
        #expect(count == 0)
        db.close()
    }

    @Test func errorsCarryExtendedCodeAndSQLButNotValues() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try open(tmp)
        try db.write { try $0.execute("INSERT INTO t VALUES (?, ?)", [.text("secret-key"), .integer(1)]) }
        do {
            try db.write { try $0.execute("INSERT INTO t VALUES (?, ?)", [.text("secret-key"), .integer(2)]) }
            Issue.record("expected a constraint error")
        } catch let e as SQLiteError {
            #expect(e.code == 1555)   // SQLITE_CONSTRAINT_PRIMARYKEY
            #expect(e.isConstraintViolation)
            #expect(e.sql?.contains("INSERT INTO t") == true)
            #expect(!e.description.contains("secret-key"))
        }
        db.close()
    }

    @Test func usesWALAndSurvivesReopen() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        do {
            let db = try open(tmp)
            let mode = try db.read { try $0.queryFirst("PRAGMA journal_mode") { $0.text(0) } }
            #expect(mode == "wal")
            try db.write { try $0.execute("INSERT INTO t VALUES ('k', 42)") }
            db.close()
        }
        let again = try Database(path: tmp.path)
        #expect(try again.read { try $0.queryFirst("SELECT v FROM t") { $0.int(0) } } == 42)
        again.close()
    }

    @Test func inMemoryDatabasesWork() throws {
        let db = try Database(path: ":memory:")
        try db.write { try $0.executeScript("CREATE TABLE x (a INTEGER) STRICT; INSERT INTO x VALUES (7);") }
        #expect(try db.read { try $0.queryFirst("SELECT a FROM x") { $0.int(0) } } == 7)
        db.close()
    }

    @Test func closedDatabasesRefuseWork() throws {
        let db = try Database(path: ":memory:")
        db.close()
        #expect(throws: SQLiteError.self) { try db.write { _ in } }
    }

    @Test func wrongParameterCountIsAnError() throws {
        let db = try Database(path: ":memory:")
        #expect(throws: SQLiteError.self) { try db.write { try $0.execute("SELECT ?", []) } }
        db.close()
    }
}

@Suite struct MigratorTests {
    static let migrations = [
        Migration(version: 1, name: "first", sql: "CREATE TABLE a (x INTEGER) STRICT;"),
        Migration(version: 2, name: "second", sql: "ALTER TABLE a ADD COLUMN y TEXT;"),
    ]

    @Test func appliesPendingMigrationsInOrderAndRecordsThem() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try Database(path: tmp.path)
        let applied = try Migrator.migrate(db, migrations: Self.migrations.reversed(), now: 5)
        #expect(applied.map(\.version) == [1, 2])
        let rows = try db.read { try $0.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version") { "\($0.int(0)) \($0.text(1)) \($0.int(2))" } }
        #expect(rows == ["1 first 5", "2 second 5"])
        #expect(try Migrator.migrate(db, migrations: Self.migrations, now: 6).isEmpty)
        db.close()
    }

    @Test func aFailedMigrationLeavesNoTrace() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let db = try Database(path: tmp.path)
        let broken = Self.migrations + [Migration(version: 3, name: "broken", sql: "CREATE TABLE b (x INTEGER); SELECT nonsense FROM nowhere;")]
        #expect(throws: SQLiteError.self) { try Migrator.migrate(db, migrations: broken, now: 1) }
        let tables = try db.read { try $0.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name") { $0.text(0) } }
        #expect(tables == ["a", "schema_migrations"])
        db.close()
    }

    @Test func refusesADatabaseFromANewerBatonWithoutTouchingIt() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        do {
            let db = try Database(path: tmp.path)
            _ = try Migrator.migrate(db, migrations: Self.migrations, now: 1)
            try db.write { try $0.execute("INSERT INTO schema_migrations VALUES (9, 'future', 1)") }
            db.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: tmp.path))
        let db = try Database(path: tmp.path)
        #expect(throws: SchemaTooNewError.self) { try Migrator.migrate(db, migrations: Self.migrations, now: 2) }
        db.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: tmp.path)) == before)
    }
}
