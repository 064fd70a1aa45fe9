@testable import BatonEngine
import BatonSupport
import BatonTestSupport
import Testing

private let waitChild = #"{"name":"wchild","version":1,"tasks":[{"name":"cw","taskReferenceName":"cw","type":"WAIT"}]}"#
private let waitParent = #"""
{"name":"wparent","version":1,"tasks":[
  {"name":"sub","taskReferenceName":"sub","type":"SUB_WORKFLOW","subWorkflowParam":{"name":"wchild","version":1}},
  {"name":"w2","taskReferenceName":"w2","type":"WAIT","inputParameters":{"duration":"1 hour"}}]}
"""#
private let pulling = #"""
{"name":"pulling","version":1,"tasks":[
  {"name":"gate","taskReferenceName":"gate","type":"WAIT"},
  {"name":"p","taskReferenceName":"p","type":"PULL_WORKFLOW_MESSAGES","inputParameters":{"batchSize":2}},
  {"name":"q","taskReferenceName":"q","type":"PULL_WORKFLOW_MESSAGES","inputParameters":{"blocking":false}}]}
"""#

@Suite struct WorkflowStateCommandTests {
    @Test func aSignalFindsTheChildsWaitWhenTheParentHasNoneOpenThenAnyWait() throws {
        let engine = try EngineHarness(workflows: [waitChild, waitParent])
        let parent = try engine.start("wparent")
        let child = try #require(try engine.workflow(parent)?.tasks.first?.subWorkflowId)
        let first = try engine.must { changes throws(EngineError) in try Commands.signal(parent, status: .completed, output: ["a": 1], in: changes) }
        #expect(first == (try engine.workflow(child))?.tasks[0].taskId)
        #expect(try engine.workflow(child)?.status == .completed)
        // The parent's own WAIT (with a duration) is signalled next, as OSS does.
        let second = try engine.must { changes throws(EngineError) in try Commands.signal(parent, status: .completed, output: [:], in: changes) }
        #expect(second != nil)
        #expect(try engine.workflow(parent)?.status == .completed)
        #expect(try engine.must { changes throws(EngineError) in try Commands.signal(parent, status: .completed, output: [:], in: changes) } == nil)
    }

    @Test func messagesAreTakenOldestFirstInBatchesAndDroppedWhenTheWorkflowEnds() throws {
        let engine = try EngineHarness(workflows: [pulling])
        let id = try engine.start("pulling")
        var ids: [String] = []
        for n in 1...3 {
            ids.append(try engine.must { changes throws(EngineError) in try Commands.sendMessage(id, payload: ["n": .int(Int64(n))], in: changes) })
        }
        #expect(try engine.workflow(id)?.messages.count == 3)
        _ = try engine.must { changes throws(EngineError) in try Commands.signal(id, status: .completed, output: [:], in: changes) }
        let wf = try #require(try engine.workflow(id))
        // `p` takes a batch of two, the oldest; `q` (not blocking) the one left.
        #expect(wf.status == .completed)
        func payloads(_ t: TaskModel) -> [JSONValue] {
            (t.outputData["messages"]?.arrayValue ?? []).map { $0.objectValue?["payload"] ?? .null }
        }
        #expect(payloads(wf.tasks[1]) == [["n": 1], ["n": 2]] && wf.tasks[1].outputData["count"] == 2)
        #expect(payloads(wf.tasks[2]) == [["n": 3]] && wf.tasks[2].outputData["count"] == 1)
        #expect(wf.tasks[1].outputData["messages"]?.arrayValue?.first?.objectValue?["id"] == .string(ids[0]))
        #expect(wf.messages.isEmpty)
        #expect(throws: EngineError.notAllowed(.messageNotRunning(workflowId: id, status: .completed))) {
            try engine.run { changes throws(EngineError) in try Commands.sendMessage(id, payload: [:], in: changes) }.get()
        }
    }

    @Test func aFullMessageQueueRefusesTheNextMessageAndKeepsTheRest() throws {
        let blocked = #"{"name":"blocked","version":1,"tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT"}]}"#
        let engine = try EngineHarness(workflows: [blocked])
        let id = try engine.start("blocked")
        for _ in 0..<Commands.maxQueuedMessages {
            _ = try engine.must { changes throws(EngineError) in try Commands.sendMessage(id, payload: [:], in: changes) }
        }
        #expect(throws: EngineError.notAllowed(.messageQueueFull(workflowId: id, limit: Commands.maxQueuedMessages))) {
            try engine.run { changes throws(EngineError) in try Commands.sendMessage(id, payload: [:], in: changes) }.get()
        }
        #expect(try engine.workflow(id)?.messages.count == Commands.maxQueuedMessages)
    }

    @Test func aStateUpdateForATaskThatIsNotOpenChangesNothing() throws {
        let engine = try EngineHarness(workflows: [waitChild])
        let id = try engine.start("wchild")
        let before = try engine.snapshot(of: [id])
        let update = WorkflowStateUpdate(variables: ["v": 1], taskReferenceName: "nope",
                                         taskResult: TaskResult(workflowInstanceId: "", taskId: "", status: .completed))
        #expect(throws: EngineError.notFound("Found no running task nope of workflow \(id) to update")) {
            try engine.run { changes throws(EngineError) in try Commands.updateState(id, update, in: changes) }.get()
        }
        #expect(try engine.snapshot(of: [id]) == before)
    }
}
