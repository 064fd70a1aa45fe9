@testable import BatonEngine
import BatonSupport
import Testing

/// A workflow of SIMPLE tasks with an inline definition, as a start would prepare it.
func makeWorkflow(_ defJSON: String, input: JSONObject = [:], now: Int64 = 1_000) throws -> WorkflowModel {
    let def = try WorkflowDef(json: try JSONParser.parse(defJSON))
    var wf = WorkflowModel(workflowId: "wf-1", status: .running, definition: def)
    wf.input = input
    wf.createTime = now
    return wf
}

/// Sequential ids so expectations can name them.
final class Counter: @unchecked Sendable {
    var n = 0
    func next() -> String { n += 1; return "t\(n)" }
}

/// Scripts answered from a table (the decider's tests need no script engine).
struct TableScripts: ScriptEvaluator {
    var javascript: [String: JSONValue] = [:]
    func javascript(_ script: String, input: JSONValue) throws(ScriptError) -> JSONValue {
        guard let v = javascript[script] else { throw .evaluation("no answer for \(script)") }
        return v
    }
    func jq(_ program: String, input: JSONValue) throws(ScriptError) -> [JSONValue] { throw .unavailable("no jq in tests") }
}

func decider(_ now: Int64, _ ids: Counter = Counter(), scripts: TableScripts = TableScripts()) -> Decider {
    Decider(DecideContext(now: now, newId: ids.next, scripts: scripts))
}

extension Decider {
    /// Decides `wf` in place and returns the effects (the tests read state and effects separately).
    @discardableResult
    func decide(_ wf: inout WorkflowModel) -> [Effect] {
        let decision = decide(wf)
        wf = decision.workflow
        return decision.effects
    }
}

let twoTasks = #"""
{"name":"wf","tasks":[
  {"name":"a","taskReferenceName":"a","inputParameters":{"x":"${workflow.input.x}","text":"x is ${workflow.input.x}"},
   "taskDefinition":{"name":"a","retryCount":2,"retryDelaySeconds":5,"responseTimeoutSeconds":30}},
  {"name":"b","taskReferenceName":"b","inputParameters":{"fromA":"${a.output.value}"},"taskDefinition":{"name":"b","retryCount":0}}
], "outputParameters":{"result":"${b.output.r}"}}
"""#

@Suite struct DeciderTests {
    @Test func schedulesTheFirstTaskWithResolvedInput() throws {
        var wf = try makeWorkflow(twoTasks, input: ["x": 7])
        decider(1_000).decide(&wf)
        #expect(wf.tasks.count == 1)
        let t = wf.tasks[0]
        #expect(t.status == .scheduled)
        #expect(t.inputData == ["x": 7, "text": "x is 7"])
        #expect(t.seq == 1)
        #expect(t.taskType == "a")
        #expect(t.scheduledTime == 1_000)
    }

    @Test func movesOnWhenATaskCompletesAndEndsWithOutputParameters() throws {
        var wf = try makeWorkflow(twoTasks, input: ["x": 1])
        let d = decider(1_000)
        d.decide(&wf)
        wf.tasks[0].status = .completed
        wf.tasks[0].outputData = ["value": "v"]
        d.decide(&wf)
        #expect(wf.tasks.map(\.referenceTaskName) == ["a", "b"])
        #expect(wf.tasks[1].inputData == ["fromA": "v"])
        wf.tasks[1].status = .completed
        wf.tasks[1].outputData = ["r": 99]
        d.decide(&wf)
        #expect(wf.status == .completed)
        #expect(wf.output == ["result": 99])
        #expect(wf.endTime == 1_000)
    }

    @Test func aFailedTaskIsRetriedAfterItsDelayWithANewAttempt() throws {
        var wf = try makeWorkflow(twoTasks)
        let ids = Counter()
        decider(1_000, ids).decide(&wf)
        wf.tasks[0].status = .failed
        wf.tasks[0].reasonForIncompletion = "boom"
        decider(2_000, ids).decide(&wf)
        #expect(wf.tasks.count == 2)
        let (old, retry) = (wf.tasks[0], wf.tasks[1])
        #expect(old.retried)
        #expect(retry.status == .scheduled)
        #expect(retry.retryCount == 1)
        #expect(retry.retriedTaskId == old.taskId)
        #expect(retry.taskId != old.taskId)
        #expect(retry.callbackAfterSeconds == 5)
        #expect(retry.visibleAt == 2_000 + 5_000)
        #expect(retry.reasonForIncompletion == "boom")
        #expect(retry.seq == 2)
        #expect(wf.status == .running)
    }

    @Test func noRetryLeftFailsTheWorkflowWithConductorsReason() throws {
        var wf = try makeWorkflow(twoTasks)
        let d = decider(1_000)
        d.decide(&wf)
        wf.tasks[0].status = .completed
        d.decide(&wf)
        wf.tasks[1].status = .failed
        wf.tasks[1].reasonForIncompletion = "bad input"
        let effects = d.decide(&wf)
        #expect(wf.status == .failed)
        #expect(wf.reasonForIncompletion == "Task \(wf.tasks[1].taskId) failed with status: FAILED and reason: 'bad input'")
        #expect(wf.failedReferenceTaskNames == ["b"])
        #expect(wf.failedTaskNames == ["b"])
        #expect(effects.contains(.ended(.failed)))
    }

    @Test func anOptionalTaskFailsWithErrorsAndTheWorkflowGoesOn() throws {
        var wf = try makeWorkflow(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","optional":true,"taskDefinition":{"name":"a","retryCount":0}},{"name":"b","taskReferenceName":"b"}]}"#)
        let d = decider(1_000)
        d.decide(&wf)
        wf.tasks[0].status = .failed
        d.decide(&wf)
        #expect(wf.tasks[0].status == .completedWithErrors)
        #expect(wf.tasks.last?.referenceTaskName == "b")
        #expect(wf.status == .running)
    }

    @Test func terminalErrorsAndCancellationsAreNeverRetried() throws {
        for (status, workflowStatus) in [(TaskStatus.failedWithTerminalError, WorkflowStatus.failed), (.canceled, .terminated)] {
            var wf = try makeWorkflow(twoTasks)
            decider(1_000).decide(&wf)
            wf.tasks[0].status = status
            decider(1_000).decide(&wf)
            #expect(wf.tasks.count == 1)
            #expect(wf.status == workflowStatus)
        }
    }

    @Test func aSilentWorkerTimesOutAndTheTaskIsRetried() throws {
        var wf = try makeWorkflow(twoTasks)
        decider(1_000).decide(&wf)
        wf.tasks[0].status = .inProgress
        wf.tasks[0].updateTime = 1_000
        #expect(Timeouts.nextDueTime(wf) == 31_000)
        decider(30_999).decide(&wf)
        #expect(wf.tasks[0].status == .inProgress)
        decider(31_000).decide(&wf)
        #expect(wf.tasks[0].status == .timedOut)
        #expect(wf.tasks[0].reasonForIncompletion == "responseTimeout: 30 exceeded for the taskId: \(wf.tasks[0].taskId) with Task Definition: a")
        #expect(wf.tasks[1].retryCount == 1)
    }

    @Test func theWorkflowTimesOutUnderTimeOutWorkflowPolicy() throws {
        var wf = try makeWorkflow(#"{"name":"wf","timeoutSeconds":2,"timeoutPolicy":"TIME_OUT_WF","tasks":[{"name":"a","taskReferenceName":"a"}]}"#)
        decider(1_000).decide(&wf)
        #expect(Timeouts.nextDueTime(wf) == 3_000)
        decider(3_000).decide(&wf)
        #expect(wf.status == .timedOut)
        #expect(wf.reasonForIncompletion == "Workflow timed out after 2 seconds. Timeout configured as 2 seconds. Timeout policy configured to TIME_OUT_WF")
        #expect(wf.tasks[0].status == .canceled)
    }

    @Test func aTaskTimeoutWithTimeOutWorkflowEndsTheWorkflow() throws {
        var wf = try makeWorkflow(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","taskDefinition":{"name":"a","timeoutSeconds":5,"responseTimeoutSeconds":5,"timeoutPolicy":"TIME_OUT_WF"}}]}"#)
        decider(1_000).decide(&wf)
        wf.tasks[0].status = .inProgress
        wf.tasks[0].startTime = 1_000
        wf.tasks[0].updateTime = 4_000
        decider(6_000).decide(&wf)
        #expect(wf.tasks[0].status == .timedOut)
        #expect(wf.status == .timedOut)
    }

    @Test(arguments: [
        (RetryLogic.fixed, 0, 10), (.fixed, 3, 10),
        (.linearBackoff, 0, 20), (.linearBackoff, 2, 60),
        (.exponentialBackoff, 0, 10), (.exponentialBackoff, 3, 80),
    ])
    func retryDelaysFollowTheRetryLogic(_ logic: RetryLogic, _ failed: Int, _ expected: Int) throws {
        let def = try TaskDef(json: ["name": "t", "retryLogic": .string(logic.rawValue), "retryDelaySeconds": 10, "backoffScaleFactor": 2])
        #expect(Retries.delaySeconds(def, failedRetryCount: failed) == expected)
    }

    @Test func retryDelaysSaturateAndRespectTheCap() throws {
        let huge = try TaskDef(json: ["name": "t", "retryLogic": "EXPONENTIAL_BACKOFF", "retryDelaySeconds": 1000])
        #expect(Retries.delaySeconds(huge, failedRetryCount: 40) == Int(Int32.max))
        let capped = try TaskDef(json: ["name": "t", "retryLogic": "EXPONENTIAL_BACKOFF", "retryDelaySeconds": 10, "maxRetryDelaySeconds": 25])
        #expect(Retries.delaySeconds(capped, failedRetryCount: 3) == 25)
    }

    @Test func aFailedWorkflowAsksForItsFailureWorkflow() throws {
        var wf = try makeWorkflow(#"{"name":"wf","failureWorkflow":"cleanup","tasks":[{"name":"a","taskReferenceName":"a","taskDefinition":{"name":"a","retryCount":0}}]}"#)
        decider(1_000).decide(&wf)
        wf.tasks[0].status = .failed
        let effects = decider(1_000).decide(&wf)
        #expect(effects.contains(.startFailureWorkflow(FailureWorkflowStart(name: "cleanup", version: nil, failedTaskId: wf.tasks[0].taskId))))
    }

    @Test func withoutOutputParametersTheOutputIsTheLastTasks() throws {
        var wf = try makeWorkflow(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a"}]}"#)
        decider(1_000).decide(&wf)
        wf.tasks[0].status = .completed
        wf.tasks[0].outputData = ["k": [1, 2]]
        decider(1_000).decide(&wf)
        #expect(wf.output == ["k": [1, 2]])
    }

    @Test func startDelayPostponesVisibility() throws {
        var wf = try makeWorkflow(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","startDelay":3}]}"#)
        decider(1_000).decide(&wf)
        #expect(wf.tasks[0].visibleAt == 4_000)
        #expect(wf.tasks[0].callbackAfterSeconds == 3)
    }
}

@Suite struct NavigationTests {
    @Test func nextTaskFollowsConductorsRules() throws {
        let def = try WorkflowDef(json: try JSONParser.parse(#"""
        {"name":"n","tasks":[
          {"name":"a","taskReferenceName":"a"},
          {"name":"s","taskReferenceName":"s","type":"SWITCH","evaluatorType":"value-param","expression":"k",
           "decisionCases":{"x":[{"name":"x1","taskReferenceName":"x1"},{"name":"x2","taskReferenceName":"x2"}]}},
          {"name":"f","taskReferenceName":"f","type":"FORK_JOIN","forkTasks":[[{"name":"f1","taskReferenceName":"f1"}],[{"name":"f2","taskReferenceName":"f2"}]]},
          {"name":"j","taskReferenceName":"j","type":"JOIN","joinOn":["f1","f2"]},
          {"name":"l","taskReferenceName":"l","type":"DO_WHILE","loopCondition":"false","loopOver":[{"name":"l1","taskReferenceName":"l1"}]},
          {"name":"z","taskReferenceName":"z"}
        ]}
        """#))
        #expect(def.nextTask(after: "a")?.taskReferenceName == "s")
        #expect(def.nextTask(after: "x1")?.taskReferenceName == "x2")
        #expect(def.nextTask(after: "x2")?.taskReferenceName == "f")
        #expect(def.nextTask(after: "f1")?.taskReferenceName == "j")
        #expect(def.nextTask(after: "j")?.taskReferenceName == "l")
        #expect(def.nextTask(after: "l1")?.taskReferenceName == "l")   // the loop re-evaluates
        #expect(def.nextTask(after: "l")?.taskReferenceName == "z")
        #expect(def.nextTask(after: "z") == nil)
        #expect(baseReferenceName("l1__3") == "l1")
        #expect(baseReferenceName("a__b") == "a__b")
    }
}

@Suite struct ModelBytesTests {
    @Test func byteWritersMatchTheJSONObjects() throws {
        var wf = try makeWorkflow(twoTasks, input: ["x": 3])
        wf.correlationId = "c"
        decider(1_000).decide(&wf)
        wf.tasks[0].workerId = "w"
        wf.tasks[0].outputData = ["nested": ["a": [1, 2.5, true, nil]]]
        let task = wf.tasks[0]
        #expect(try JSONParser.parse(task.jsonBytes()) == .object(task.json()))
        var row = wf.json(includeTasks: false)
        row["tasks"] = nil
        #expect(try JSONParser.parse(wf.rowJSONBytes()) == .object(row))
        #expect(try TaskModel(json: try JSONParser.parse(task.jsonBytes())).taskId == task.taskId)
    }
}
