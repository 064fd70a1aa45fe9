import BatonEngine
import BatonSQLite
import BatonSupport
import BatonTestSupport
import Testing
@testable import BatonStore

/// Execution rows keep only what is particular to them; what they share is stored once and spliced
/// back on every read, which must give exactly what the models say.
@Suite struct StoredRowsTests {
    private static let definition = #"""
        {"name":"rows","version":3,"tasks":[{"name":"work","taskReferenceName":"w","type":"SIMPLE","inputParameters":{"x":"${workflow.input.x}"},
         "taskDefinition":{"name":"work","retryCount":2}}]}
        """#

    private func execution(_ n: Int, _ def: WorkflowDef) throws -> WorkflowModel {
        var wf = WorkflowModel(workflowId: "wf-\(n)", status: n.isMultiple(of: 2) ? .completed : .running, definition: def)
        wf.input = ["x": .string("input \(n) \u{1F600} \"quoted\"")]
        wf.correlationId = "corr-\(n)"
        wf.priority = n % 5
        wf.createTime = 1_000 + Int64(n)
        wf.updateTime = 2_000 + Int64(n)
        wf.endTime = n.isMultiple(of: 2) ? 3_000 : 0
        var t = TaskModel(taskId: "task-\(n)", status: n.isMultiple(of: 2) ? .completed : .inProgress, taskType: "work", taskDefName: "work",
                          referenceTaskName: "w", workflowInstanceId: wf.workflowId, workflowType: "rows", workflowTask: def.tasks[0])
        t.seq = 1
        t.inputData = wf.input
        t.outputData = n.isMultiple(of: 2) ? ["y": .int(Int64(n))] : [:]
        t.scheduledTime = wf.createTime
        wf.tasks = [t]
        return wf
    }

    private func write(_ store: SQLiteStore, _ workflows: [WorkflowModel]) throws {
        var changes = ExecutionWrite()
        changes.workflows = workflows
        changes.tasks = workflows.flatMap(\.tasks)
        try store.write([changes], durable: true)
    }

    @Test func readsGiveBackWhatWasWrittenAndSharedPartsAreStoredOnce() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let store = disk.store
        let def = try WorkflowDef(json: try JSONParser.parse(Self.definition))
        let workflows = try (0..<20).map { try execution($0, def) }
        try write(store, workflows)

        for wf in workflows {
            #expect(try store.workflow(id: wf.workflowId) == wf)
            let api = try #require(try store.workflowJSON(id: wf.workflowId, includeTasks: true))
            #expect(try JSONParser.parse(api) == .object(wf.json(includeTasks: true)))
            let t = wf.tasks[0]
            #expect(try store.task(id: t.taskId) == t)
            #expect(try JSONParser.parse(try #require(try store.taskJSON(id: t.taskId))) == .object(t.json()))
        }
        let found = try store.searchWorkflows(SearchQuery(query: nil, freeText: "corr-7", sort: nil, start: 0, size: 100))
        #expect(found.workflows == [workflows[7]].map { var w = $0; w.tasks = []; return w })
        // Free text still finds what the columns hold instead of the JSON.
        #expect(try store.searchWorkflows(SearchQuery(query: nil, freeText: "wf-13", sort: nil, start: 0, size: 100)).total == 1)
        #expect(try store.searchTasks(SearchQuery(query: nil, freeText: "task-13", sort: nil, start: 0, size: 100)).tasks == [workflows[13].tasks[0]])

        let (parts, largest) = try store.database.read { conn in
            (try conn.queryFirst("SELECT COUNT(*) FROM shared_part") { $0.int(0) } ?? 0,
             try conn.queryFirst("SELECT MAX(length(json)) FROM task") { $0.int(0) } ?? 0)
        }
        #expect(parts == 2)                       // the definition and its one node, for 20 executions
        #expect(largest < Int64(def.tasks[0].serialized.count))
    }

    @Test func fieldsAtTheirUsualValueAreLeftOutAndReadBackEitherWay() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let store = disk.store
        let def = try WorkflowDef(json: try JSONParser.parse(Self.definition))
        let usual = try execution(1, def)
        var unusual = try execution(3, def)
        unusual.variables = ["v": 1]
        unusual.failedTaskNames = ["work"]
        unusual.lastRetriedTime = 77
        unusual.tasks[0].retryCount = 2
        unusual.tasks[0].retried = true
        unusual.tasks[0].iteration = 3
        unusual.tasks[0].rateLimitFrequencyInSeconds = 60
        unusual.tasks[0].inputData = [:]
        try write(store, [usual, unusual])

        for wf in [usual, unusual] {
            #expect(try store.workflow(id: wf.workflowId) == wf)
            #expect(try JSONParser.parse(try #require(try store.workflowJSON(id: wf.workflowId, includeTasks: true))) == .object(wf.json(includeTasks: true)))
            #expect(try JSONParser.parse(try #require(try store.taskJSON(id: wf.tasks[0].taskId))) == .object(wf.tasks[0].json()))
        }
        let rows = try store.database.read { conn in
            try conn.query("SELECT w.json, t.json FROM workflow w JOIN task t USING (workflow_id) ORDER BY w.workflow_id", []) {
                (try JSONParser.parse($0.bytes(0)), try JSONParser.parse($0.bytes(1)))
            }
        }
        #expect(rows.count == 2)
        let (plainWorkflow, plainTask) = rows[0], (oddWorkflow, oddTask) = rows[1]
        for key in ["variables", "failedTaskNames", "lastRetriedTime", "history", "taskToDomain"] {
            #expect(plainWorkflow[key] == nil)
        }
        for key in ["retryCount", "retried", "iteration", "rateLimitFrequencyInSeconds", "callbackFromWorker", "firstStartTime"] {
            #expect(plainTask[key] == nil)
        }
        #expect(oddWorkflow["variables"] == ["v": 1] && oddWorkflow["failedTaskNames"] == ["work"] && oddWorkflow["lastRetriedTime"] == 77)
        #expect(oddTask["retryCount"] == 2 && oddTask["retried"] == true && oddTask["iteration"] == 3)
        #expect(oddTask["rateLimitFrequencyInSeconds"] == 60 && oddTask["inputData"] == nil)
    }

    @Test func aStoreOpenedAgainFindsThePartsItStoredBefore() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let def = try WorkflowDef(json: try JSONParser.parse(Self.definition))
        let first = try SQLiteStore(path: tmp.path, now: 0)
        try write(first, [try execution(1, def)])
        first.close()
        let again = try SQLiteStore(path: tmp.path, now: 0)
        defer { again.close() }
        let later = try execution(2, def)
        try write(again, [later])
        #expect(try again.workflow(id: later.workflowId) == later)
        let parts = try again.database.read { conn in try conn.queryFirst("SELECT COUNT(*) FROM shared_part") { $0.int(0) } }
        #expect(parts == 2)
    }

    @Test func aRowWrittenBeforeSharedPartsIsReadAsItWasStored() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let store = disk.store
        let wf = try execution(1, WorkflowDef(json: try JSONParser.parse(Self.definition)))
        let t = wf.tasks[0]
        try store.database.write { conn in
            try conn.execute("""
                INSERT INTO workflow (workflow_id, name, version, status, correlation_id, priority, create_time, update_time, end_time, json)
                VALUES (?, 'rows', 3, 'RUNNING', ?, ?, ?, ?, ?, ?)
                """, [.text(wf.workflowId), .text(wf.correlationId!), .integer(Int64(wf.priority)), .integer(wf.createTime),
                      .integer(wf.updateTime), .integer(wf.endTime), .utf8(wf.rowJSONBytes())])
            try conn.execute("INSERT INTO task (task_id, workflow_id, seq, status, task_type, json) VALUES (?, ?, 1, 'IN_PROGRESS', 'work', ?)",
                             [.text(t.taskId), .text(wf.workflowId), .utf8(t.jsonBytes())])
        }
        #expect(try store.workflow(id: wf.workflowId) == wf)
        #expect(try store.activeWorkflows() == [wf])
        #expect(try JSONParser.parse(try #require(try store.workflowJSON(id: wf.workflowId, includeTasks: true))) == .object(wf.json(includeTasks: true)))
        #expect(try JSONParser.parse(try #require(try store.taskJSON(id: t.taskId))) == .object(t.json()))
    }

    @Test func aPartStoredInARolledBackWriteIsNotRemembered() throws {
        let disk = try TemporaryStore()
        defer { withExtendedLifetime(disk) {} }
        let store = disk.store
        struct Abandon: Error {}
        let first = Array(#"{"first":1}"#.utf8), second = Array(#"{"second":2}"#.utf8)
        var lost: Int64 = 0
        #expect(throws: Abandon.self) {
            try store.database.write { conn in
                var pending = SharedParts.Pending()
                lost = try store.parts.id(of: first, hash: ContentHash.of(first), &pending, conn)
                throw Abandon()
            }
        }
        // The rolled-back id goes to other content; `first` must get an id of its own.
        let (a, b) = try store.database.write { conn in
            var pending = SharedParts.Pending()
            let b = try store.parts.id(of: second, hash: ContentHash.of(second), &pending, conn)
            let a = try store.parts.id(of: first, hash: ContentHash.of(first), &pending, conn)
            store.parts.committed(pending)
            return (a, b)
        }
        #expect(b == lost && a != b)
        let stored = try store.database.read { conn in
            try conn.queryFirst("SELECT json FROM shared_part WHERE id = ?", [.integer(a)]) { $0.text(0) }
        }
        #expect(stored == #"{"first":1}"#)
    }
}
