@testable import BatonEngine
import BatonSupport
import Testing

/// One decide pass over a new workflow whose first node is of one task type: the attempts it leaves,
/// the workflow's status and the effects it asks for. One row per type; the scripts' answers come from
/// a table, so the rows need no script engine.
struct TypeRow: CustomTestStringConvertible, Sendable {
    let type: String
    let tasks: String
    var scripts: [String: JSONValue] = [:]
    let expected: [String]
    var status: WorkflowStatus = .running
    var effects: [String] = []
    var testDescription: String { type }
}

private func kind(_ effect: Effect) -> String {
    switch effect {
    case .startChild: "startChild"
    case .startWorkflow: "startWorkflow"
    case .sendHTTP: "sendHTTP"
    case .publish: "publish"
    case .terminateChild: "terminateChild"
    case .startFailureWorkflow: "startFailureWorkflow"
    case .ended(let s): "ended(\(s.rawValue))"
    case .decideAgain: "decideAgain"
    }
}

let typeRows: [TypeRow] = [
    TypeRow(type: "SIMPLE", tasks: #"[{"name":"w","taskReferenceName":"w","type":"SIMPLE"}]"#, expected: ["w SCHEDULED"]),
    TypeRow(type: "NOOP", tasks: #"[{"name":"n","taskReferenceName":"n","type":"NOOP"}]"#, expected: ["n COMPLETED"],
            status: .completed, effects: ["ended(COMPLETED)"]),
    TypeRow(type: "INLINE", tasks: #"[{"name":"i","taskReferenceName":"i","type":"INLINE","inputParameters":{"evaluatorType":"javascript","expression":"6*7"}}]"#,
            scripts: ["6*7": 42], expected: ["i COMPLETED"], status: .completed, effects: ["ended(COMPLETED)"]),
    TypeRow(type: "INLINE (script error)", tasks: #"[{"name":"i","taskReferenceName":"i","type":"INLINE","inputParameters":{"evaluatorType":"javascript","expression":"boom"}}]"#,
            expected: ["i FAILED_WITH_TERMINAL_ERROR"], status: .failed, effects: ["ended(FAILED)"]),
    TypeRow(type: "JSON_JQ_TRANSFORM (no jq)", tasks: #"[{"name":"j","taskReferenceName":"j","type":"JSON_JQ_TRANSFORM","inputParameters":{"queryExpression":"."}}]"#,
            expected: ["j FAILED"], status: .failed, effects: ["ended(FAILED)"]),
    TypeRow(type: "SET_VARIABLE", tasks: #"[{"name":"s","taskReferenceName":"s","type":"SET_VARIABLE","inputParameters":{"k":1}},{"name":"w","taskReferenceName":"w"}]"#,
            expected: ["s COMPLETED", "w SCHEDULED"]),
    TypeRow(type: "SWITCH", tasks: #"""
        [{"name":"sw","taskReferenceName":"sw","type":"SWITCH","evaluatorType":"value-param","expression":"c","inputParameters":{"c":"b"},
          "decisionCases":{"a":[{"name":"a","taskReferenceName":"a"}],"b":[{"name":"b","taskReferenceName":"b"}]},
          "defaultCase":[{"name":"d","taskReferenceName":"d"}]}]
        """#, expected: ["sw COMPLETED", "b SCHEDULED"]),
    TypeRow(type: "DECISION", tasks: #"""
        [{"name":"de","taskReferenceName":"de","type":"DECISION","caseValueParam":"c","inputParameters":{"c":"zzz"},
          "decisionCases":{"a":[{"name":"a","taskReferenceName":"a"}]},"defaultCase":[{"name":"d","taskReferenceName":"d"}]}]
        """#, expected: ["de COMPLETED", "d SCHEDULED"]),
    TypeRow(type: "FORK_JOIN + JOIN", tasks: #"""
        [{"name":"f","taskReferenceName":"f","type":"FORK_JOIN","forkTasks":[[{"name":"x","taskReferenceName":"x"}],[{"name":"y","taskReferenceName":"y"}]]},
         {"name":"j","taskReferenceName":"j","type":"JOIN","joinOn":["x","y"]}]
        """#, expected: ["f COMPLETED", "x SCHEDULED", "y SCHEDULED", "j IN_PROGRESS"]),
    TypeRow(type: "DO_WHILE", tasks: #"""
        [{"name":"l","taskReferenceName":"l","type":"DO_WHILE","loopCondition":"$.l.iteration < 2","loopOver":[{"name":"b","taskReferenceName":"b"}]}]
        """#, expected: ["l IN_PROGRESS", "b__1 SCHEDULED"]),
    TypeRow(type: "WAIT (no deadline)", tasks: #"[{"name":"wt","taskReferenceName":"wt","type":"WAIT"}]"#, expected: ["wt IN_PROGRESS"]),
    TypeRow(type: "HUMAN", tasks: #"[{"name":"h","taskReferenceName":"h","type":"HUMAN"}]"#, expected: ["h IN_PROGRESS"]),
    TypeRow(type: "TERMINATE", tasks: #"""
        [{"name":"t","taskReferenceName":"t","type":"TERMINATE","inputParameters":{"terminationStatus":"FAILED","terminationReason":"stop here"}},
         {"name":"never","taskReferenceName":"never"}]
        """#, expected: ["t COMPLETED"], status: .failed, effects: ["ended(FAILED)"]),
    TypeRow(type: "SUB_WORKFLOW", tasks: #"[{"name":"s","taskReferenceName":"s","type":"SUB_WORKFLOW","subWorkflowParam":{"name":"child","version":1}}]"#,
            expected: ["s SCHEDULED"], effects: ["startChild"]),
    TypeRow(type: "START_WORKFLOW", tasks: #"[{"name":"s","taskReferenceName":"s","type":"START_WORKFLOW","inputParameters":{"startWorkflow":{"name":"other"}}}]"#,
            expected: ["s SCHEDULED"], effects: ["startWorkflow"]),
    TypeRow(type: "HTTP", tasks: #"[{"name":"h","taskReferenceName":"h","type":"HTTP","inputParameters":{"http_request":{"uri":"http://x/","method":"GET"}}}]"#,
            expected: ["h SCHEDULED"], effects: ["sendHTTP"]),
    TypeRow(type: "EVENT", tasks: #"[{"name":"e","taskReferenceName":"e","type":"EVENT","sink":"conductor:q"}]"#,
            expected: ["e SCHEDULED"], effects: ["publish"]),
]

@Suite struct TaskTypeDecisionTests {
    @Test(arguments: typeRows)
    func oneDecideOverANewWorkflow(_ row: TypeRow) throws {
        let wf = try makeWorkflow(#"{"name":"wf","version":1,"tasks":\#(row.tasks)}"#)
        let decision = decider(1_000, scripts: TableScripts(javascript: row.scripts)).decide(wf)
        #expect(decision.workflow.tasks.map { "\($0.referenceTaskName) \($0.status.rawValue)" } == row.expected)
        #expect(decision.workflow.status == row.status)
        #expect(decision.effects.map(kind) == row.effects)
    }

    @Test func theDecisionIsAFunctionOfItsInputs() throws {
        let wf = try makeWorkflow(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a"},{"name":"b","taskReferenceName":"b"}]}"#)
        #expect(decider(5_000).decide(wf) == decider(5_000).decide(wf))
    }
}
