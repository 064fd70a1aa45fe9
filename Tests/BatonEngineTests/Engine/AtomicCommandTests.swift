@testable import BatonEngine
import BatonSupport
import BatonTestSupport
import Testing

let childDef = #"{"name":"child","version":1,"tasks":[{"name":"cw","taskReferenceName":"cw","type":"SIMPLE"}]}"#
let parentDef = #"""
{"name":"parent","version":1,"tasks":[
  {"name":"sub","taskReferenceName":"sub","type":"SUB_WORKFLOW","subWorkflowParam":{"name":"child","version":1}},
  {"name":"pw","taskReferenceName":"pw","type":"SIMPLE"}]}
"""#
let workerDefs = [#"{"name":"cw","retryCount":0}"#, #"{"name":"pw","retryCount":0}"#]

/// A parent whose SUB_WORKFLOW child runs one worker task; `failed` lets the child's task fail (no
/// retries), which fails both.
struct Family {
    let engine: EngineHarness
    let parent: String
    let child: String

    init(failed: Bool = false) throws {
        engine = try EngineHarness(workflows: [childDef, parentDef], taskDefs: workerDefs)
        parent = try engine.start("parent")
        guard let child = try engine.workflow(parent)?.tasks.first?.subWorkflowId else { throw EngineError.notFound("no child started") }
        self.child = child
        if failed {
            let task = try #require(try engine.poll("cw").first)
            try engine.finish(task, .failed)
        }
    }
}

/// One command, run against a freshly built family each time.
struct CommandCase: CustomTestStringConvertible, Sendable {
    let name: String
    let failed: Bool
    /// A decide with nothing to do changes nothing; every other case changes something.
    var changes = true
    let body: @Sendable (Family, ChangeSet) throws(EngineError) -> Void
    var testDescription: String { name }
}

let commandCases: [CommandCase] = [
    CommandCase(name: "start (parent and child in one command)", failed: false) { f, changes throws(EngineError) in
        let factory = WorkflowFactory(metadata: changes.env.definitions, ids: changes.env.ids)
        guard let def = try? f.engine.metadata.workflowDef(name: "parent", version: nil) else { return }
        _ = Commands.start(try factory.make(definition: try factory.prepare(def), input: [:], now: changes.now, prepared: true), in: changes)
    },
    CommandCase(name: "update: the child's task completes, the child ends, the parent moves on", failed: false) { f, changes throws(EngineError) in
        let taskId = try changes.existing(f.child).tasks[0].taskId
        _ = try Commands.updateTask(TaskResult(workflowInstanceId: f.child, taskId: taskId, status: .completed), in: changes)
    },
    CommandCase(name: "terminate the parent (cancels the child)", failed: false) { f, changes throws(EngineError) in
        try Commands.terminate(f.parent, reason: "stop", triggerFailureWorkflow: false, in: changes)
    },
    CommandCase(name: "pause", failed: false) { f, changes throws(EngineError) in try Commands.pause(f.parent, in: changes) },
    CommandCase(name: "skip", failed: false) { f, changes throws(EngineError) in
        try Commands.skip(f.parent, ref: "pw", request: SkipTaskRequest(), in: changes)
    },
    CommandCase(name: "decide, with nothing to do", failed: false, changes: false) { f, changes throws(EngineError) in
        _ = try changes.existing(f.parent)
        Commands.decide(f.parent, in: changes)
    },
    CommandCase(name: "remove a running parent", failed: false) { f, changes throws(EngineError) in try Commands.remove(f.parent, archive: false, in: changes) },
    CommandCase(name: "retry the child (reopens the parent)", failed: true) { f, changes throws(EngineError) in
        try Commands.retry(f.child, resumeSubworkflowTasks: false, in: changes)
    },
    CommandCase(name: "retry the parent (a new child)", failed: true) { f, changes throws(EngineError) in
        try Commands.retry(f.parent, resumeSubworkflowTasks: false, in: changes)
    },
    CommandCase(name: "retry the parent, resuming the child", failed: true) { f, changes throws(EngineError) in
        try Commands.retry(f.parent, resumeSubworkflowTasks: true, in: changes)
    },
    CommandCase(name: "restart the parent", failed: true) { f, changes throws(EngineError) in
        try Commands.restart(f.parent, useLatestDefinitions: false, in: changes)
    },
    CommandCase(name: "restart the child (reopens the parent)", failed: true) { f, changes throws(EngineError) in
        try Commands.restart(f.child, useLatestDefinitions: false, in: changes)
    },
    CommandCase(name: "update variables (decides the parent)", failed: false) { f, changes throws(EngineError) in
        try Commands.updateVariables(f.parent, ["k": 1], in: changes)
    },
    CommandCase(name: "update state: variables and the child's task by reference", failed: false) { f, changes throws(EngineError) in
        try Commands.updateState(f.child, WorkflowStateUpdate(variables: ["k": 1], taskReferenceName: "cw",
                                                             taskResult: TaskResult(workflowInstanceId: "", taskId: "", status: .completed)), in: changes)
    },
    CommandCase(name: "send a message", failed: false) { f, changes throws(EngineError) in
        _ = try Commands.sendMessage(f.parent, payload: ["m": 1], in: changes)
    },
    CommandCase(name: "rerun the child from its task", failed: true) { f, changes throws(EngineError) in
        let taskId = try changes.existing(f.child).tasks[0].taskId
        _ = try Commands.rerun(f.child, RerunRequest(reRunFromTaskId: taskId), in: changes)
    },
]

@Suite struct AtomicCommandTests {
    /// Fails the command at its first step, its second, … until it runs through: every failed run must
    /// leave memory, the pending batch and storage exactly as they were.
    @Test(arguments: commandCases)
    func aCommandFailingAtAnyStepLeavesNoTrace(_ command: CommandCase) throws {
        var injected = 0
        for n in 1...500 {
            let family = try Family(failed: command.failed)
            let ids = [family.parent, family.child]
            let before = try family.engine.snapshot(of: ids)
            let faults = FaultInjector(failAtStep: n)
            let outcome = family.engine.run(faults: faults) { changes throws(EngineError) in try command.body(family, changes) }
            switch outcome {
            case .failure(.storage(let message, _)) where message.hasPrefix("injected fault"):
                injected += 1
                #expect(try family.engine.snapshot(of: ids) == before, "failed at step \(n)")
            case .failure(let error):
                Issue.record("refused: \(error.message)")
                return
            case .success:
                // Ran through: it passed `n - 1` steps, each of which failed once above.
                #expect(injected == n - 1)
                #expect(injected > 0, "the command passed no fault point: this test could not fail")
                #expect((try family.engine.snapshot(of: ids) != before) == command.changes)
                return
            }
        }
        Issue.record("still failing after 500 steps")
    }
}

@Suite struct ManagementCommandTests {
    @Test func aRefusedRetryOfAnOrphanedChildLeavesItAsItWas() throws {
        let f = try Family(failed: true)
        try f.engine.must { changes throws(EngineError) in try Commands.remove(f.parent, archive: true, in: changes) }
        try f.engine.commit()
        let before = try f.engine.snapshot(of: [f.parent, f.child])
        let outcome = f.engine.run { changes throws(EngineError) in try Commands.retry(f.child, resumeSubworkflowTasks: false, in: changes) }
        #expect(throws: EngineError.workflowNotFound(workflowId: f.parent)) { try outcome.get() }
        #expect(try f.engine.snapshot(of: [f.parent, f.child]) == before)
        #expect(try f.engine.store.workflow(id: f.child)?.status == .failed)
    }

    @Test func retryingAChildReopensItsParent() throws {
        let f = try Family(failed: true)
        try f.engine.must { changes throws(EngineError) in try Commands.retry(f.child, resumeSubworkflowTasks: false, in: changes) }
        try f.engine.commit()
        let parent = try #require(try f.engine.store.workflow(id: f.parent))
        #expect(parent.status == .running)
        #expect(parent.tasks[0].status == .inProgress && parent.tasks[0].subworkflowChanged)
        let child = try #require(try f.engine.store.workflow(id: f.child))
        #expect(child.tasks.map(\.status) == [.failed, .scheduled])
        #expect(try f.engine.poll("cw").map(\.workflowInstanceId) == [f.child])
    }

    @Test func pauseAndResume() throws {
        let f = try Family()
        try f.engine.must { changes throws(EngineError) in try Commands.pause(f.parent, in: changes) }
        #expect(try f.engine.workflow(f.parent)?.status == .paused)
        #expect(throws: EngineError.notAllowed(.resumeNotPaused(workflowId: f.child, status: .running))) {
            try f.engine.run { changes throws(EngineError) in try Commands.resume(f.child, in: changes) }.get()
        }
        try f.engine.must { changes throws(EngineError) in try Commands.resume(f.parent, in: changes) }
        #expect(try f.engine.workflow(f.parent)?.status == .running)
    }

    @Test func terminatingTheParentCancelsTheChildInTheSameCommand() throws {
        let f = try Family()
        try f.engine.must { changes throws(EngineError) in
            try Commands.terminate(f.parent, reason: "enough", triggerFailureWorkflow: false, in: changes)
        }
        try f.engine.commit()
        #expect(try f.engine.store.workflow(id: f.parent)?.status == .terminated)
        #expect(try f.engine.store.workflow(id: f.child)?.status == .terminated)
        #expect(try f.engine.poll("cw").isEmpty)
        #expect(throws: EngineError.notAllowed(.pauseEnded(WorkflowRef(try #require(try f.engine.workflow(f.parent)))))) {
            try f.engine.run { changes throws(EngineError) in try Commands.pause(f.parent, in: changes) }.get()
        }
    }

    @Test func aChildCompletingMovesItsParentOnInTheSameCommand() throws {
        let f = try Family()
        let task = try #require(try f.engine.poll("cw").first)
        try f.engine.finish(task, output: ["v": 1])
        let parent = try #require(try f.engine.store.workflow(id: f.parent))
        #expect(parent.tasks.map(\.referenceTaskName) == ["sub", "pw"])
        #expect(parent.tasks[0].status == .completed)
        #expect(try f.engine.poll("pw").map(\.workflowInstanceId) == [f.parent])
    }

    @Test func restartAndRerunRefuseRunningWorkflows() throws {
        let f = try Family()
        let wf = try #require(try f.engine.workflow(f.parent))
        #expect(throws: EngineError.notAllowed(.restartNotEnded(WorkflowRef(wf)))) {
            try f.engine.run { changes throws(EngineError) in try Commands.restart(f.parent, useLatestDefinitions: false, in: changes) }.get()
        }
        #expect(throws: EngineError.notAllowed(.rerunNotEnded(WorkflowRef(wf)))) {
            try f.engine.run { changes throws(EngineError) in try Commands.rerun(f.parent, RerunRequest(), in: changes) }.get()
        }
        #expect(throws: EngineError.notAllowed(.retryStillRunning(.running))) {
            try f.engine.run { changes throws(EngineError) in try Commands.retry(f.parent, resumeSubworkflowTasks: false, in: changes) }.get()
        }
    }

    @Test func skipRefusesWhatWasAlreadyScheduled() throws {
        let f = try Family()
        #expect(throws: EngineError.notAllowed(.skipAlreadyProcessed(ref: "sub"))) {
            try f.engine.run { changes throws(EngineError) in try Commands.skip(f.parent, ref: "sub", request: SkipTaskRequest(), in: changes) }.get()
        }
        #expect(throws: EngineError.notAllowed(.skipUnknownReference(ref: "nope", workflowName: "parent"))) {
            try f.engine.run { changes throws(EngineError) in try Commands.skip(f.parent, ref: "nope", request: SkipTaskRequest(), in: changes) }.get()
        }
    }

    /// OSS starts a retried or rerun WAIT synchronously (`scheduleTask` → `Wait.start`): it waits
    /// IN_PROGRESS again, as when first scheduled, instead of sitting SCHEDULED where nothing starts it.
    @Test func aRetriedOrRerunWaitWaitsInProgress() throws {
        let engine = try EngineHarness(workflows: [#"{"name":"hold","version":1,"tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT"}]}"#])
        let id = try engine.start("hold")
        func end() throws {
            try engine.must { changes throws(EngineError) in try Commands.terminate(id, reason: "stop", triggerFailureWorkflow: false, in: changes) }
            try engine.commit()
        }
        try end()
        try engine.must { changes throws(EngineError) in try Commands.retry(id, resumeSubworkflowTasks: false, in: changes) }
        try engine.commit()
        let retried = try #require(try engine.workflow(id)?.tasks.last)
        #expect(retried.status == .inProgress && retried.startTime > 0 && retried.retryCount == 1)
        try end()
        let canceled = try #require(try engine.workflow(id)?.tasks.last)
        _ = try engine.must { changes throws(EngineError) in try Commands.rerun(id, RerunRequest(reRunFromTaskId: canceled.taskId), in: changes) }
        try engine.commit()
        #expect(try engine.workflow(id)?.tasks.last?.status == .inProgress)
    }
}
