import BatonEngine
import BatonSQLite
import BatonSupport
import BatonTestSupport
import Testing
@testable import BatonStore

/// A search's total is read from the counts the triggers keep when the query names only workflow
/// names and statuses; it must always equal what counting the rows gives.
@Suite struct WorkflowCountTests {
    private func workflow(_ id: String, _ name: String, _ status: WorkflowStatus) throws -> WorkflowModel {
        let def = try WorkflowDef(json: try JSONParser.parse(#"{"name":"\#(name)","version":1,"tasks":[]}"#))
        return WorkflowModel(workflowId: id, status: status, definition: def)
    }

    private func write(_ store: SQLiteStore, _ edit: (inout ExecutionWrite) -> Void) throws {
        var changes = ExecutionWrite()
        edit(&changes)
        try store.write([changes], durable: true)
    }

    private func totals(_ store: SQLiteStore, _ query: String?, freeText: String? = nil) throws -> (kept: Int, counted: Int) {
        let kept = try store.searchWorkflows(SearchQuery(query: query, freeText: freeText, sort: nil, start: 0, size: 1)).total
        // The same query with a condition the counts cannot answer, true of every row: counted from the rows.
        let everyRow = "startTime > -1" + (query.map { " AND \($0)" } ?? "")
        let counted = try store.searchWorkflows(SearchQuery(query: everyRow, freeText: freeText, sort: nil, start: 0, size: 1)).total
        return (kept, counted)
    }

    @Test func keptTotalsFollowInsertsStatusChangesAndRemovals() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let store = disk.store
        try write(store) { c in
            c.workflows = try! (0..<6).map { try workflow("a\($0)", "alpha", .running) } + [try! workflow("b0", "beta", .running)]
        }
        try write(store) { c in
            c.workflows = try! (0..<2).map { try workflow("a\($0)", "alpha", .completed) } + [try! workflow("a2", "alpha", .failed)]
        }
        try write(store) { c in
            c.workflows = [try! workflow("a3", "alpha", .running)]   // written again, its status unchanged
            c.deletedWorkflowIds = ["a5", "b0"]
        }
        let queries: [(String?, Int)] = [
            (nil, 5), ("workflowType IN (alpha)", 5), ("workflowType = beta", 0), ("status IN (RUNNING)", 2),
            ("workflowType IN (alpha,beta) AND status IN (COMPLETED,FAILED)", 3), ("status = TERMINATED", 0),
        ]
        for (query, expected) in queries {
            let (kept, counted) = try totals(store, query)
            #expect(kept == expected, "\(query ?? "no query")")
            #expect(counted == expected, "\(query ?? "no query")")
        }
        // A wildcard and free text are counted from the rows.
        #expect(try totals(store, "workflowType = alph*").kept == 5)
        #expect(try totals(store, nil, freeText: "a1").kept == 1)

        try write(store) { $0.removesEverything = true }
        #expect(try totals(store, nil) == (0, 0))
        // The triggers were put back: counting goes on after the reset.
        try write(store) { c in c.workflows = [try! workflow("c0", "gamma", .running)] }
        try write(store) { c in c.workflows = [try! workflow("c0", "gamma", .terminated)] }
        #expect(try totals(store, "status = TERMINATED") == (1, 1))
        #expect(try totals(store, "status = RUNNING") == (0, 0))
    }
}
