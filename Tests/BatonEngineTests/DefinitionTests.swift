@testable import BatonEngine
import BatonSupport
import Testing

private func json(_ text: String) -> JSONValue { try! JSONParser.parse(text) }

@Suite struct TaskDefTests {
    @Test func fillsConductorDefaultsAndKeepsUnknownFields() throws {
        let def = try TaskDef(json: json(#"{"name":"encode","custom":{"a":1}}"#))
        #expect(def.retryCount == 3)
        #expect(def.retryDelaySeconds == 60)
        #expect(def.responseTimeoutSeconds == 3600)
        #expect(def.timeoutPolicy == .timeOutWorkflow)
        #expect(def.json["custom"] == ["a": 1])
        #expect(def.json["retryLogic"] == "FIXED")
        #expect(def.json["concurrentExecLimit"] == nil)
    }

    @Test func rejectsWrongTypesWithTheFieldName() {
        #expect(throws: EngineError.invalid("retryCount: expected an integer, got string \"lots\"")) {
            try TaskDef(json: json(#"{"name":"t","retryCount":"lots"}"#))
        }
        #expect(throws: EngineError.self) { try TaskDef(json: json(#"{"name":"t","retryLogic":"SOMETIMES"}"#)) }
    }

    @Test func validatesLikeConductor() throws {
        let errors = try TaskDef(json: json(#"{"name":"t","retryCount":-1,"timeoutSeconds":10}"#)).validate(path: "registerTaskDef.arg0[0]")
        #expect(errors.map(\.message) == [
            "TaskDef retryCount: 0 must be >= 0",
            "TaskDef: t responseTimeoutSeconds: 3600 must be less than timeoutSeconds: 10",
        ])
        #expect(errors[0].path == "registerTaskDef.arg0[0].retryCount")
        #expect(try TaskDef(json: json(#"{"name":""}"#)).validate(path: "p").map(\.message) == ["TaskDef name cannot be null or empty"])
    }
}

@Suite struct WorkflowDefValidatorTests {
    private func errors(_ text: String) throws -> [String] {
        let def = try WorkflowDef(json: json(text), path: "registerWorkflowDef.arg0")
        return WorkflowDefValidator().validate(def, path: "registerWorkflowDef.arg0").map(\.message)
    }

    @Test func acceptsAValidDefinitionAndFillsDefaults() throws {
        let text = #"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a_ref","inputParameters":{"x":"${workflow.input.x}","y":"${b_ref.output.z}"}},{"name":"b","taskReferenceName":"b_ref"}]}"#
        #expect(try errors(text).isEmpty)
        let def = try WorkflowDef(json: json(text))
        #expect(def.version == 1)
        #expect(def.json["schemaVersion"] == 2)
        #expect(def.tasks[0].json["type"] == "SIMPLE")
        #expect(def.tasks[0].json["optional"] == false)
    }

    @Test func reportsMissingNameEmptyTasksAndSchemaVersion() throws {
        #expect(try errors(#"{"name":"","tasks":[],"schemaVersion":1}"#) == [
            "WorkflowDef name cannot be null or empty",
            "WorkflowTask list cannot be empty",
            "workflowDef schemaVersion: 2 is only supported",
        ])
    }

    @Test func referenceNamesMustBeUniqueAtEveryDepth() throws {
        let text = #"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"x"},{"name":"f","taskReferenceName":"f","type":"FORK_JOIN","forkTasks":[[{"name":"b","taskReferenceName":"x"}]]},{"name":"j","taskReferenceName":"j","type":"JOIN"}]}"#
        #expect(try errors(text) == ["taskReferenceName: x should be unique across tasks for a given workflowDefinition: wf"])
    }

    @Test func typeSpecificFieldsAreRequired() throws {
        let text = #"""
        {"name":"wf","tasks":[
          {"name":"s","taskReferenceName":"s","type":"SWITCH","evaluatorType":"value-param","expression":"k"},
          {"name":"d","taskReferenceName":"d","type":"DO_WHILE"},
          {"name":"e","taskReferenceName":"e","type":"EVENT"},
          {"name":"t","taskReferenceName":"t","type":"TERMINATE","inputParameters":{"terminationStatus":"NOPE"}},
          {"name":"h","taskReferenceName":"h","type":"HTTP"},
          {"name":"sub","taskReferenceName":"sub","type":"SUB_WORKFLOW"},
          {"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"duration":"1s","until":"2030-01-01"}}
        ]}
        """#
        #expect(try errors(text) == [
            "decisionCases should have atleast one task for taskType: SWITCH taskName: s",
            "loopCondition field is required for taskType: DO_WHILE taskName: d",
            "loopOver field is required for taskType: DO_WHILE taskName: d",
            "sink field is required for taskType: EVENT taskName: e",
            "terminate task must have an terminationStatus parameter and must be set to COMPLETED or FAILED, taskName: t",
            "inputParameters.http_request or inputParameters.uri field is required for taskType: HTTP taskName: h",
            "subWorkflowParam field is required for taskType: SUB_WORKFLOW taskName: sub",
            "Both 'duration' and 'until' specified. Please provide only one input",
        ])
    }

    @Test func serializedHashesFollowTheBytes() throws {
        // Stored parts are found by this hash: it must be the bytes' own, also after a stamp.
        var def = try WorkflowDef(json: json(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a"}]}"#))
        #expect(def.serializedHash == ContentHash.of(def.serialized))
        #expect(def.tasks[0].serializedHash == ContentHash.of(def.tasks[0].serialized))
        let before = def.serializedHash
        def.stamp(createTime: 1, updateTime: 2)
        #expect(def.serializedHash == ContentHash.of(def.serialized) && def.serializedHash != before)
    }

    @Test func onlyOSSRulesApply() throws {
        // A literal WAIT duration must parse (OSS's message, verbatim); an expression is checked at run time.
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"duration":"5"}}]}"#)
            == ["Either date or duration is passed as null "])
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"duration":"${workflow.input.d}"}}]}"#).isEmpty)
        // A literal `until` must be a date OSS's lenient parser could read; one it would roll over
        // (month 13) passes registration as on OSS and fails when the task runs.
        for bad in [#""tomorrow""#, #""2030-01-01T10:00""#, #""2030/01/01""#, "1893456000000"] {
            #expect(try errors(#"{"name":"wf","tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"until":\#(bad)}}]}"#)
                == ["Unable to parse date "], "until \(bad)")
        }
        for good in ["2030-01-01", "2030-01-01 10:00", "2030-01-01 10:00 PST", "2030-13-45", "${workflow.input.at}"] {
            #expect(try errors(#"{"name":"wf","tasks":[{"name":"w","taskReferenceName":"w","type":"WAIT","inputParameters":{"until":"\#(good)"}}]}"#).isEmpty, "until \(good)")
        }
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"s","taskReferenceName":"s","type":"SUB_WORKFLOW","subWorkflowParam":{"name":"c","workflowDefinition":"${x"}}]}"#)
            == ["workflowDefinition is a string, but not a valid DSL string"])
        // OSS has no bound on failureWorkflowVersion or retryDelaySeconds.
        #expect(try errors(#"{"name":"wf","failureWorkflowVersion":-1,"tasks":[{"name":"a","taskReferenceName":"a"}]}"#).isEmpty)
        #expect(try TaskDef(json: json(#"{"name":"t","retryDelaySeconds":-5}"#)).validate(path: "p").isEmpty)
    }

    @Test func expressionsMustNameTheWorkflowOrAKnownTask() throws {
        let text = #"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","inputParameters":{"k":"${ghost.output.x}","esc":"$${ghost.output}","env":"${HOME}"}}]}"#
        #expect(try errors(text) == [
            "taskReferenceName: ghost for given task: a input value: k of input parameter: ${ghost.output.x} is not defined in workflow definition.",
        ])
        // As OSS: a null input value is kept, not refused; an embedded task definition is not validated.
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","inputParameters":{"k":null,"deep":{"n":null}}}]}"#).isEmpty)
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","taskDefinition":{"name":"","responseTimeoutSeconds":0}}]}"#).isEmpty)
    }

    @Test func unknownTypesAreWorkerTasksButModuleTypesAreRefused() throws {
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","type":"MY_CUSTOM"}]}"#).isEmpty)
        #expect(try errors(#"{"name":"wf","tasks":[{"name":"a","taskReferenceName":"a","type":"LLM_CHAT_COMPLETE"}]}"#)
            == ["task type LLM_CHAT_COMPLETE (taskName: a) is not supported by Baton"])
    }

    @Test func innermostExpressionsAreFound() {
        #expect(WorkflowDefValidator.expressions(in: "${a.b} and ${workflow.input.${c.d}} $${e.f}") == ["a.b", "c.d"])
    }

    /// Stored executions repeating one definition share the built value; a full cache starts again
    /// and still answers each JSON with its own definition.
    @Test func theDefinitionCacheAnswersEachJSONWithItsOwnDefinition() throws {
        let cache = WorkflowDefCache(limit: 2)
        func json(_ v: Int) throws -> JSONValue {
            try JSONParser.parse(#"{"name":"cached","version":\#(v),"tasks":[{"name":"t","taskReferenceName":"t","type":"WAIT"}]}"#)
        }
        for round in 0..<2 {
            for v in 1...5 {
                let def = try cache.definition(try json(v))
                #expect(def == (try WorkflowDef(json: try json(v), path: "workflow.workflowDefinition")), "round \(round) version \(v)")
            }
        }
    }
}
