import BatonSupport

/// Conductor's registration-time rules for workflow definitions, with OSS's messages and paths
/// (`registerWorkflowDef.arg0.tasks[0].name`).
public struct WorkflowDefValidator {
    /// Looks up registered task definitions (HTTP and JQ tasks may take their input from one).
    public var taskDefNamed: (String) -> TaskDef?

    public init(taskDefNamed: @escaping (String) -> TaskDef? = { _ in nil }) {
        self.taskDefNamed = taskDefNamed
    }

    public func validate(_ def: WorkflowDef, path: String) -> [ValidationError] {
        var errors: [ValidationError] = []
        func at(_ k: String) -> String { "\(path).\(k)" }
        if def.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: at("name"), message: "WorkflowDef name cannot be null or empty"))
        }
        if def.tasks.isEmpty {
            errors.append(ValidationError(path: at("tasks"), message: "WorkflowTask list cannot be empty"))
        }
        if def.schemaVersion != 2 {
            errors.append(ValidationError(path: at("schemaVersion"), message: "workflowDef schemaVersion: 2 is only supported",
                                          invalidValue: String(def.schemaVersion)))
        }
        if let v = def.failureWorkflowVersion, v < 0 {
            errors.append(ValidationError(path: at("failureWorkflowVersion"), message: "failureWorkflowVersion must be >= 0"))
        }
        for (i, task) in def.tasks.enumerated() {
            validateTask(task, path: at("tasks[\(i)]"), into: &errors)
        }
        // Reference names must be unique across every nesting level.
        let all = def.allTasks()
        var seen = Set<String>()
        var reported = Set<String>()
        for t in all where !t.taskReferenceName.isEmpty {
            if !seen.insert(t.taskReferenceName).inserted && reported.insert(t.taskReferenceName).inserted {
                errors.append(ValidationError(path: path, message:
                    "taskReferenceName: \(t.taskReferenceName) should be unique across tasks for a given workflowDefinition: \(def.name)"))
            }
        }
        // Expressions in top-level inputs must point at the workflow or at a task of this definition.
        for task in def.tasks {
            checkInputs(task.inputParameters, task: task, knownRefs: seen, path: path, into: &errors)
        }
        return errors
    }

    private func checkInputs(_ inputs: JSONObject, task: WorkflowTask, knownRefs: Set<String>, path: String, into errors: inout [ValidationError]) {
        for (key, value) in inputs {
            if value.isNull {
                errors.append(ValidationError(path: path, message: "key: \(key) input parameter value: is null"))
                continue
            }
            for expression in Self.expressions(in: value) {
                let head = expression.prefix { $0 != "." && $0 != "[" }
                // A bare name (no dot) is an environment lookup in OSS; Baton leaves it alone.
                guard head.count < expression.count else { continue }
                if head == "workflow" || head == "CPEWF_TASK_ID" || knownRefs.contains(String(head)) { continue }
                errors.append(ValidationError(path: path, message:
                    "taskReferenceName: \(head) for given task: \(task.name) input value: \(key) of input parameter: \(JSONWriter.string(value).trimmingQuotes()) is not defined in workflow definition."))
            }
        }
    }

    /// The innermost `${...}` bodies in every string of a value (nested `${a.${b}}` yields `b`).
    static func expressions(in value: JSONValue) -> [String] {
        switch value {
        case .string(let s): return innermostExpressions(s)
        case .array(let a): return a.flatMap(expressions)
        case .object(let o): return o.flatMap { expressions(in: $0.value) }
        default: return []
        }
    }

    static func innermostExpressions(_ s: String) -> [String] {
        var out: [String] = []
        let chars = Array(s)
        var i = 0
        while i + 1 < chars.count {
            if chars[i] == "$" && chars[i + 1] == "{" {
                // `$${` is an escape for a literal `${`.
                if i > 0 && chars[i - 1] == "$" { i += 2; continue }
                var j = i + 2
                var nested = false
                while j < chars.count && chars[j] != "}" {
                    if chars[j] == "$" && j + 1 < chars.count && chars[j + 1] == "{" { nested = true; break }
                    j += 1
                }
                if nested { i += 2; continue }
                if j < chars.count {
                    let body = String(chars[(i + 2)..<j]).trimmingCharacters(in: .whitespaces)
                    if !body.isEmpty { out.append(body) }
                    i = j + 1
                    continue
                }
            }
            i += 1
        }
        return out
    }

    private func required(_ field: String, _ type: String, _ name: String) -> String {
        "\(field) field is required for taskType: \(type) taskName: \(name)"
    }

    private func validateTask(_ task: WorkflowTask, path: String, into errors: inout [ValidationError]) {
        if task.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: "\(path).name", message: "WorkflowTask name cannot be empty or null"))
        }
        if task.taskReferenceName.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: "\(path).taskReferenceName", message: "WorkflowTask taskReferenceName name cannot be empty or null"))
        }
        if task.startDelay < 0 {
            errors.append(ValidationError(path: "\(path).startDelay", message: "must be greater than or equal to 0", invalidValue: String(task.startDelay)))
        }
        if let td = task.taskDefinition {
            errors += td.validate(path: "\(path).taskDefinition")
        }
        if TaskType.unsupportedModuleTypes.contains(task.type) {
            errors.append(ValidationError(path: "\(path).type", message:
                "task type \(task.type) (taskName: \(task.name)) is not supported by Baton", invalidValue: task.type))
        }
        let name = task.name
        func fail(_ message: String) { errors.append(ValidationError(path: path, message: message)) }
        let inputTemplate = (task.taskDefinition ?? taskDefNamed(task.name))?.inputTemplate ?? JSONObject()
        switch task.taskType {
        case .event:
            if task.sink == nil { fail(required("sink", "EVENT", name)) }
        case .decision:
            if task.caseValueParam == nil && task.caseExpression == nil {
                fail(required("caseValueParam or caseExpression", "DECISION", name))
            }
            if task.decisionCases.isEmpty { fail("decisionCases should have atleast one task for taskType: DECISION taskName: \(name)") }
        case .switchTask:
            if task.evaluatorType == nil {
                fail(required("evaluatorType", "SWITCH", name))
            } else if task.expression == nil {
                fail(required("expression", "SWITCH", name))
            }
            if task.decisionCases.isEmpty { fail("decisionCases should have atleast one task for taskType: SWITCH taskName: \(name)") }
        case .doWhile:
            if task.loopCondition == nil { fail(required("loopCondition", "DO_WHILE", name)) }
            if task.loopOver.isEmpty { fail(required("loopOver", "DO_WHILE", name)) }
        case .dynamic:
            if task.dynamicTaskNameParam == nil { fail(required("dynamicTaskNameParam", "DYNAMIC", name)) }
        case .forkJoinDynamic:
            if task.inputParameters["forkTaskInputs"] != nil { break }
            if task.dynamicForkJoinTasksParam != nil {
                if task.dynamicForkTasksParam != nil || task.dynamicForkTasksInputParamName != nil {
                    fail("dynamicForkJoinTasksParam or combination of dynamicForkTasksInputParamName and dynamicForkTasksParam cam be used for taskType: FORK_JOIN_DYNAMIC taskName: \(name)")
                }
                break
            }
            if task.dynamicForkTasksParam == nil { fail(required("dynamicForkTasksParam", "FORK_JOIN_DYNAMIC", name)) }
            if task.dynamicForkTasksInputParamName == nil { fail(required("dynamicForkTasksInputParamName", "FORK_JOIN_DYNAMIC", name)) }
        case .http:
            let p = task.inputParameters
            if p["http_request"] == nil && p["uri"] == nil && p["method"] == nil && inputTemplate["http_request"] == nil {
                fail(required("inputParameters.http_request or inputParameters.uri", "HTTP", name))
            }
        case .forkJoin:
            if task.forkTasks.isEmpty { fail("forkTasks should have atleast one task for taskType: FORK_JOIN taskName: \(name)") }
        case .terminate:
            if task.optional { fail("terminate task cannot be optional, taskName: \(name)") }
            let status = task.inputParameters["terminationStatus"]?.stringValue
            if !["COMPLETED", "FAILED", "TERMINATED"].contains(status ?? "") {
                fail("terminate task must have an terminationStatus parameter and must be set to COMPLETED or FAILED, taskName: \(name)")
            }
        case .kafkaPublish:
            if task.inputParameters["kafka_request"] == nil && inputTemplate["kafka_request"] == nil {
                fail(required("inputParameters.kafka_request", "KAFKA_PUBLISH", name))
            }
        case .subWorkflow:
            if task.subWorkflowParam == nil { fail(required("subWorkflowParam", "SUB_WORKFLOW", name)) }
            if case .string(let s)? = task.subWorkflowParam?["workflowDefinition"], !s.hasPrefix("${") {
                fail("subWorkflowParam.workflowDefinition must be a workflow definition or a ${...} expression, taskName: \(name)")
            }
        case .jsonJQTransform:
            if task.inputParameters["queryExpression"] == nil && inputTemplate["queryExpression"] == nil {
                fail(required("inputParameters.queryExpression", "JSON_JQ_TRANSFORM", name))
            }
        case .wait:
            let duration = task.inputParameters["duration"]?.stringValue ?? ""
            let until = task.inputParameters["until"]?.stringValue ?? ""
            if !duration.trimmingCharacters(in: .whitespaces).isEmpty && !until.trimmingCharacters(in: .whitespaces).isEmpty {
                fail("Both 'duration' and 'until' specified. Please provide only one input")
            }
        default:
            break
        }
        for (caseValue, list) in task.decisionCases {
            for (i, t) in list.enumerated() { validateTask(t, path: "\(path).decisionCases[\(caseValue)][\(i)]", into: &errors) }
        }
        for (i, t) in task.defaultCase.enumerated() { validateTask(t, path: "\(path).defaultCase[\(i)]", into: &errors) }
        for (b, branch) in task.forkTasks.enumerated() {
            for (i, t) in branch.enumerated() { validateTask(t, path: "\(path).forkTasks[\(b)][\(i)]", into: &errors) }
        }
        for (i, t) in task.loopOver.enumerated() { validateTask(t, path: "\(path).loopOver[\(i)]", into: &errors) }
    }
}

extension String {
    func trimmingQuotes() -> String {
        hasPrefix("\"") && hasSuffix("\"") && count >= 2 ? String(dropFirst().dropLast()) : self
    }
}

import Foundation
