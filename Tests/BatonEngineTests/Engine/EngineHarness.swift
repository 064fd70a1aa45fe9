@testable import BatonEngine
import BatonSupport
import BatonTestSupport
import Testing

/// An engine state over in-memory stores, a manual clock and sequential ids: commands run exactly as the
/// batch loop runs them (`Commands.run`), and `commit()` plays the group committer.
final class EngineHarness {
    let store = MemoryExecutionStore()
    let metadata = MemoryMetadataStore()
    let clock = ManualClock(1_000_000)
    let env: EngineEnvironment
    let state = EngineState()
    private var seq: UInt64 = 0

    init(workflows: [String] = [], taskDefs: [String] = []) throws {
        env = EngineEnvironment(store: store, definitions: DefinitionCatalog(store: metadata), scripts: TableScripts(),
                                ids: NumberedIDs(), clock: clock)
        try metadata.saveTaskDefs(taskDefs.map { try TaskDef(json: JSONParser.parse($0)) })
        try metadata.saveWorkflowDefs(workflows.map { try WorkflowDef(json: JSONParser.parse($0)) })
        state.now = clock.now
    }

    /// Runs one command; `faults` fails it at a chosen step.
    func run<T>(faults: FaultInjector? = nil, _ body: (ChangeSet) throws(EngineError) -> T) -> Result<T, EngineError> {
        state.now = clock.now
        return Commands.run(body, on: state, env, faults: faults)
    }

    @discardableResult
    func must<T>(_ body: (ChangeSet) throws(EngineError) -> T, sourceLocation: SourceLocation = #_sourceLocation) throws -> T {
        try run(body).get()
    }

    /// Writes what the commands so far changed, as a commit would.
    func commit() throws {
        seq += 1
        if let write = state.takeWrite(seq: seq) { try store.write([write], durable: true) }
        state.resetBatch()
        state.forgetUncommitted(upTo: seq)
    }

    func start(_ name: String, input: JSONObject = [:]) throws -> String {
        let factory = WorkflowFactory(metadata: env.definitions, ids: env.ids)
        guard let def = try metadata.workflowDef(name: name, version: nil) else { throw EngineError.workflowDefNotFound(name: name, version: nil) }
        let wf = try factory.make(definition: try factory.prepare(def), input: input, now: clock.now, prepared: true)
        let id = try must { changes in Commands.start(wf, in: changes) }
        try commit()
        return id
    }

    /// The workflow as the engine sees it (memory, else storage).
    func workflow(_ id: String) throws -> WorkflowModel? {
        try run { changes throws(EngineError) in try changes.workflow(id) }.get()
    }

    func poll(_ type: String, count: Int = 1) throws -> [TaskModel] {
        let tasks = try must { changes in Commands.poll(taskType: type, domain: nil, workerId: "w", count: count, in: changes) }
        try commit()
        return tasks
    }

    func finish(_ task: TaskModel, _ status: TaskResultStatus = .completed, output: JSONObject = [:]) throws {
        var result = TaskResult(workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status: status, outputData: output)
        result.reasonForIncompletion = status == .completed ? nil : "worker said \(status.rawValue)"
        try must { changes throws(EngineError) in try Commands.updateTask(result, in: changes) }
        try commit()
    }

    /// Everything a command could change, in memory and in storage.
    struct Snapshot: Equatable {
        var workflows: [String: WorkflowModel]
        var queues: [String: Int]
        var inProgress: [String: Int]
        var pollData: [String: PollData]
        var nextWakeUp: Int64?
        var pendingWrite: Bool
        var outbox: Int
        var touchedQueues: Set<String>
        var commits: Int
        var stored: [String: WorkflowModel]
    }

    func snapshot(of ids: [String]) throws -> Snapshot {
        var stored: [String: WorkflowModel] = [:]
        for id in ids { stored[id] = try store.workflow(id: id) }
        return Snapshot(workflows: state.workflows, queues: state.queues.mapValues(\.count), inProgress: state.inProgressCount,
                        pollData: state.pollData, nextWakeUp: state.nextWakeUp, pendingWrite: !state.batch.isEmpty,
                        outbox: state.outbox.count, touchedQueues: state.touchedQueues, commits: store.commits, stored: stored)
    }
}
