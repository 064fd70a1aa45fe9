import BatonEngine
import BatonSupport
import Testing
@testable import BatonStore

/// Free text matches a workflow's JSON and the id, name and status its columns hold, and its page comes
/// from one pass over the matches: totals and pages must be what filtering every row by hand gives.
@Suite struct FreeTextSearchTests {
    private struct Stored { var id: String; var name: String; var status: WorkflowStatus; var note: String; var time: Int64 }

    private func store(_ rows: [Stored], in store: SQLiteStore) throws {
        var changes = ExecutionWrite()
        changes.workflows = try rows.map { r in
            let def = try WorkflowDef(json: try JSONParser.parse(#"{"name":"\#(r.name)","version":1,"tasks":[]}"#))
            var wf = WorkflowModel(workflowId: r.id, status: r.status, definition: def)
            wf.input = ["note": .string(r.note)]
            wf.createTime = r.time
            return wf
        }
        try store.write([changes], durable: true)
    }

    private func search(_ store: SQLiteStore, _ text: String, sort: String? = nil, start: Int = 0, size: Int = 100) throws -> (Int, [String]) {
        let found = try store.searchWorkflows(SearchQuery(query: nil, freeText: text, sort: sort, start: start, size: size))
        return (found.total, found.workflows.map(\.workflowId))
    }

    @Test func matchesJSONIdsNamesAndStatusesAndPagesNewestFirst() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let ids = (0..<8).map { _ in IDs.uuid() }
        let rows = [
            Stored(id: ids[0], name: "alpha_orders", status: .running, note: "blue", time: 100),
            Stored(id: ids[1], name: "alpha_orders", status: .completed, note: "red", time: 300),
            Stored(id: ids[2], name: "beta", status: .terminated, note: "blue moon", time: 200),
            Stored(id: ids[3], name: "beta", status: .failed, note: "green", time: 300),   // same time as ids[1]
            Stored(id: ids[4], name: "gamma", status: .timedOut, note: "50%_off", time: 50),
            Stored(id: "wf-custom", name: "gamma", status: .paused, note: "x", time: 400),
        ]
        try store(rows, in: disk.store)
        func expected(_ match: (Stored) -> Bool) -> (Int, [String]) {
            let hits = rows.filter(match).sorted { $0.time != $1.time ? $0.time > $1.time : $0.id < $1.id }
            return (hits.count, hits.map(\.id))
        }
        #expect(try search(disk.store, "blue") == expected { $0.note.contains("blue") })
        #expect(try search(disk.store, "ALPHA_O") == expected { $0.name == "alpha_orders" })          // a name, any case
        #expect(try search(disk.store, "termin") == expected { $0.status == .terminated })            // a status
        #expect(try search(disk.store, "d_ou") == expected { $0.status == .timedOut })                // `_` is literal
        #expect(try search(disk.store, "50%") == expected { $0.note.hasPrefix("50%") })               // so is `%`
        let part = String(ids[2].suffix(12))
        #expect(try search(disk.store, part.uppercased()) == expected { $0.id == ids[2] })            // part of an id
        #expect(try search(disk.store, "wf-custom") == expected { $0.id == "wf-custom" })            // a whole id of another form
        #expect(try search(disk.store, "nowhere") == (0, []))
        // Pages of the matches, newest first (ties by id) or oldest first.
        let all = expected { _ in true }
        #expect(try search(disk.store, "\"note\"", start: 1, size: 3) == (all.0, Array(all.1[1..<4])))
        #expect(try search(disk.store, "\"note\"", sort: "startTime:ASC", size: 2).1
            == rows.sorted { $0.time != $1.time ? $0.time < $1.time : $0.id < $1.id }.prefix(2).map(\.id))
        #expect(try search(disk.store, "\"note\"", start: 10) == (all.0, []))
    }
}
