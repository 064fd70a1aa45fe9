import BatonEngine
import BatonStore
import BatonSupport
import BatonTestSupport
import Foundation
import Synchronization
import Testing

/// A store whose writes can be made to fail, to see what the engine does when a commit is lost.
private final class FlakyStore: ExecutionStore {
    let inner: SQLiteStore
    let failWrites = Atomic<Bool>(false)
    init(_ inner: SQLiteStore) { self.inner = inner }

    func write(_ changes: [ExecutionWrite], durable: Bool) throws {
        if failWrites.load(ordering: .relaxed) { throw EngineError.storage(message: "disk on fire", retryable: false) }
        try inner.write(changes, durable: durable)
    }
    func activeWorkflows() throws -> [WorkflowModel] { try inner.activeWorkflows() }
    func storedSchedules() throws -> [StoredSchedule] { try inner.storedSchedules() }
    func scheduleExecutions(_ q: ScheduleExecutionQuery) throws -> (total: Int, executions: [ScheduleExecution]) { try inner.scheduleExecutions(q) }
    func workflow(id: String) throws -> WorkflowModel? { try inner.workflow(id: id) }
    func workflowJSON(id: String, includeTasks: Bool) throws -> [UInt8]? { try inner.workflowJSON(id: id, includeTasks: includeTasks) }
    func task(id: String) throws -> TaskModel? { try inner.task(id: id) }
    func taskJSON(id: String) throws -> [UInt8]? { try inner.taskJSON(id: id) }
    func taskLogs(taskId: String) throws -> [TaskExecLog] { try inner.taskLogs(taskId: taskId) }
    func allPollData() throws -> [PollData] { try inner.allPollData() }
    func searchWorkflows(_ query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) { try inner.searchWorkflows(query) }
    func searchTasks(_ query: SearchQuery) throws -> (total: Int, tasks: [TaskModel]) { try inner.searchTasks(query) }
    func searchWorkflows(byTasks query: SearchQuery) throws -> (total: Int, workflows: [WorkflowModel]) { try inner.searchWorkflows(byTasks: query) }
    func runningWorkflowIds(name: String, version: Int, startTime: Int64?, endTime: Int64?) throws -> [String] {
        try inner.runningWorkflowIds(name: name, version: version, startTime: startTime, endTime: endTime)
    }
    func workflows(name: String, correlationId: String, includeClosed: Bool) throws -> [WorkflowModel] {
        try inner.workflows(name: name, correlationId: correlationId, includeClosed: includeClosed)
    }
    func taskJSONs(workflowId: String, statuses: [String]) throws -> [[UInt8]] { try inner.taskJSONs(workflowId: workflowId, statuses: statuses) }
}

@Suite struct BatchLoopCommitTests {
    private struct Fixture {
        let sqlite: SQLiteStore
        let store: FlakyStore
        let loop: BatchLoop
        let executions: WorkflowService
    }

    private func fixture(_ tmp: TemporaryDatabase) throws -> Fixture {
        let clock = WallClock()
        let sqlite = try SQLiteStore(path: tmp.path, now: clock.now)
        try MetadataService(store: sqlite, clock: clock).registerWorkflowDef(
            JSONParser.parse(#"{"name":"one","version":1,"tasks":[{"name":"work","taskReferenceName":"w","type":"SIMPLE"}]}"#),
            overwrite: true)
        let store = FlakyStore(sqlite)
        let loop = BatchLoop(environment: EngineEnvironment(store: store, definitions: DefinitionCatalog(store: sqlite),
                                                            scripts: ScriptEngines(), clock: clock))
        try loop.start()
        return Fixture(sqlite: sqlite, store: store, loop: loop, executions: WorkflowService(loop: loop))
    }

    @Test func concurrentStartsAreAllInStorageWhenAnswered() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let f = try fixture(tmp)
        let ids = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 64) { _ in
            if let id = try? f.executions.start(StartRequest(name: "one")) {
                // Answered means committed: storage has it at once.
                #expect((try? f.sqlite.workflow(id: id))??.status == .running)
                ids.withLock { $0.append(id) }
            }
        }
        #expect(ids.withLock { Set($0).count } == 64)
        let polled = try f.executions.pollAndWait(taskType: "work", count: 100)
        #expect(polled.count == 64)
        f.loop.stop()
        f.sqlite.close()
    }

    @Test func aFailedCommitFailsItsCallersAndMemoryFollowsStorage() throws {
        let tmp = TemporaryDatabase()
        defer { withExtendedLifetime(tmp) {} }   // ARC may end it early otherwise: its deinit deletes the files
        let f = try fixture(tmp)
        let kept = try f.executions.start(StartRequest(name: "one"))
        f.store.failWrites.store(true, ordering: .relaxed)
        // Its own commit fails, or a background batch (the kept start's follow-up) failed just before it.
        let error = #expect(throws: EngineError.self) { try f.executions.start(StartRequest(name: "one")) }
        #expect([EngineError.commitFailed("The change could not be stored: disk on fire"),
                 .commitFailed("an earlier commit failed; the engine is reloading")].contains(error))
        f.store.failWrites.store(false, ordering: .relaxed)
        // The lost start left no trace in memory either: only the kept workflow's task is queued.
        let polled = try f.executions.pollAndWait(taskType: "work", count: 10)
        #expect(polled.map { $0.workflowInstanceId } == [kept])
        let again = try f.executions.start(StartRequest(name: "one"))
        #expect(try f.sqlite.workflow(id: again)?.status == .running)
        f.loop.stop()
        f.sqlite.close()
    }
}

private extension WorkflowService {
    /// The long poll with no wait, its answer awaited here.
    func pollAndWait(taskType: String, count: Int) throws -> [TaskModel] {
        let answered = DispatchSemaphore(value: 0)
        let result = Mutex<Result<[TaskModel], EngineError>?>(nil)
        poll(taskType: taskType, workerId: "w", domain: nil, count: count, timeoutMillis: 0) { r in
            result.withLock { $0 = r }
            answered.signal()
        }
        answered.wait()
        return try result.withLock { $0! }.get()
    }
}
