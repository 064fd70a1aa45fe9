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
        // Each rule names the OSS rule it mirrors; OSS has no other registration rule for these fields
        // (`WorkflowDef`, `WorkflowTask`, `common/.../constraints/`, `WorkflowTaskTypeConstraint`).
        // `WorkflowDef.name`: @NotEmpty. (@ValidNameConstraint is off unless name-validation is enabled.)
        if def.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: at("name"), message: "WorkflowDef name cannot be null or empty"))
        }
        // `WorkflowDef.tasks`: @NotEmpty.
        if def.tasks.isEmpty {
            errors.append(ValidationError(path: at("tasks"), message: "WorkflowTask list cannot be empty"))
        }
        // `WorkflowDef.schemaVersion`: @Min(2) @Max(2).
        if def.schemaVersion != 2 {
            errors.append(ValidationError(path: at("schemaVersion"), message: "workflowDef schemaVersion: 2 is only supported",
                                          invalidValue: String(def.schemaVersion)))
        }
        for (i, task) in def.tasks.enumerated() {
            validateTask(task, path: at("tasks[\(i)]"), into: &errors)
        }
        // `@TaskReferenceNameUniqueConstraint`: reference names are unique across every nesting level.
        let all = def.allTasks()
        var seen = Set<String>()
        var reported = Set<String>()
        for t in all where !t.taskReferenceName.isEmpty {
            if !seen.insert(t.taskReferenceName).inserted && reported.insert(t.taskReferenceName).inserted {
                errors.append(ValidationError(path: path, message:
                    "taskReferenceName: \(t.taskReferenceName) should be unique across tasks for a given workflowDefinition: \(def.name)"))
            }
        }
        // `@TaskReferenceNameUniqueConstraint` with `ConstraintParamUtil.validateInputParam`: expressions
        // in top-level inputs point at the workflow or at a task of this definition.
        for task in def.tasks {
            checkInputs(task.inputParameters, task: task, knownRefs: seen, path: path, into: &errors)
        }
        return errors
    }

    private func checkInputs(_ inputs: JSONObject, task: WorkflowTask, knownRefs: Set<String>, path: String, into errors: inout [ValidationError]) {
        // OSS `ConstraintParamUtil.validateInputParam` looks only into strings, maps and lists: a null
        // value is kept as it is.
        for (key, value) in inputs {
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

    private func validateTask(_ task: WorkflowTask, path: String, into errors: inout [ValidationError]) {
        // `WorkflowTask.name`, `.taskReferenceName`: @NotEmpty; `.startDelay`: @PositiveOrZero.
        if task.name.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: "\(path).name", message: "WorkflowTask name cannot be empty or null"))
        }
        if task.taskReferenceName.trimmingCharacters(in: .whitespaces).isEmpty {
            errors.append(ValidationError(path: "\(path).taskReferenceName", message: "WorkflowTask taskReferenceName name cannot be empty or null"))
        }
        if task.startDelay < 0 {
            errors.append(ValidationError(path: "\(path).startDelay", message: "must be greater than or equal to 0", invalidValue: String(task.startDelay)))
        }
        // An embedded `taskDefinition` is not validated: OSS's `WorkflowTask` declares it without `@Valid`.
        // Baton's own rule (README, "differs on purpose"): types of OSS modules Baton does not run.
        if TaskType.unsupportedModuleTypes.contains(task.type) {
            errors.append(ValidationError(path: "\(path).type", message:
                "task type \(task.type) (taskName: \(task.name)) is not supported by Baton", invalidValue: task.type))
        }
        // Type-specific rules live with the type (`Tasks/`), each OSS's `WorkflowTaskTypeConstraint` rule.
        let taskDef = task.taskDefinition ?? taskDefNamed(task.name)
        for message in task.behavior.validate(task, NodeValidation(taskDef: taskDef)) {
            errors.append(ValidationError(path: path, message: message))
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
