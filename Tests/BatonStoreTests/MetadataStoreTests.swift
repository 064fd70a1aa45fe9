import BatonEngine
import BatonStore
import BatonSupport
import BatonTestSupport
import Testing

@Suite struct MetadataStoreTests {
    private func service(_ tmp: TemporaryDatabase, clock: ManualClock = ManualClock()) throws -> (MetadataService, SQLiteStore) {
        let store = try SQLiteStore(path: tmp.path, now: clock.now)
        return (MetadataService(store: store, clock: clock), store)
    }

    private func json(_ text: String) -> JSONValue { try! JSONParser.parse(text) }

    @Test func taskDefinitionsRoundTripAndKeepCreationTimeOnUpdate() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let clock = ManualClock(1_000)
        let (metadata, store) = try service(tmp, clock: clock)
        try metadata.registerTaskDefs(json(#"[{"name":"a","retryCount":1,"extra":[1,2]}]"#))
        clock.advance(byMillis: 500)
        try metadata.updateTaskDef(json(#"{"name":"a","retryCount":2}"#))
        let a = try metadata.taskDef(named: "a")
        #expect(a.retryCount == 2)
        #expect(a.json["createTime"] == 1_000)
        #expect(a.json["updateTime"] == 1_500)
        #expect(throws: EngineError.taskDefToUpdateNotFound(name: "b")) { try metadata.updateTaskDef(json(#"{"name":"b"}"#)) }
        try metadata.deleteTaskDef(named: "a")
        #expect(throws: EngineError.taskDefNotFound(name: "a")) { try metadata.taskDef(named: "a") }
        store.close()
    }

    @Test func workflowVersionsConflictsAndLatest() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let (metadata, store) = try service(tmp)
        let v1 = #"{"name":"wf","version":1,"tasks":[{"name":"a","taskReferenceName":"a"}],"x-custom":"kept"}"#
        try metadata.registerWorkflowDef(json(v1), overwrite: false)
        #expect(throws: EngineError.workflowDefExists(name: "wf", version: 1)) { try metadata.registerWorkflowDef(json(v1), overwrite: false) }
        try metadata.registerWorkflowDef(json(v1), overwrite: true)
        _ = try metadata.updateWorkflowDefs(json("[" + v1.replacingOccurrences(of: "\"version\":1", with: "\"version\":3") + "]"))
        #expect(try metadata.workflowDef(name: "wf", version: nil).version == 3)
        #expect(try metadata.workflowDef(name: "wf", version: 1).json["x-custom"] == "kept")
        #expect(try metadata.workflowVersions(name: "wf").map { $0.version } == [1, 3])
        #expect(try metadata.latestWorkflowDefs().map { $0.version } == [3])
        #expect(try metadata.workflowNames() == ["wf"])
        try metadata.deleteWorkflowDef(name: "wf", version: 3)
        #expect(throws: EngineError.workflowDefToDeleteNotFound(name: "wf", version: 3)) { try metadata.deleteWorkflowDef(name: "wf", version: 3) }
        #expect(throws: EngineError.workflowDefNotFoundByName(name: "nope", version: nil)) { try metadata.workflowDef(name: "nope", version: nil) }
        store.close()
    }

    @Test func anInvalidDefinitionInABulkUpdateStoresNothing() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let (metadata, store) = try service(tmp)
        let good = #"{"name":"ok","tasks":[{"name":"a","taskReferenceName":"a"}]}"#
        let bad = #"{"name":"","tasks":[{"name":"a","taskReferenceName":"a"}]}"#
        #expect(throws: EngineError.self) { _ = try metadata.updateWorkflowDefs(json("[\(good),\(bad)]")) }
        #expect(try metadata.allWorkflowDefs().isEmpty)
        store.close()
    }

    @Test func theSchemaIsAppliedOnceAndSurvivesReopen() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        do {
            let (metadata, store) = try service(tmp)
            try metadata.registerTaskDefs(json(#"[{"name":"persisted"}]"#))
            store.close()
        }
        let (metadata, store) = try service(tmp)
        #expect(try metadata.taskDef(named: "persisted").name == "persisted")
        store.close()
    }
}
