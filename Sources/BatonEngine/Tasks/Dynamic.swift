import BatonSupport

/// DYNAMIC: a worker task whose name comes from an input parameter (OSS `DynamicTaskMapper`).
struct Dynamic: TaskBehavior {
    var isOperator: Bool { true }

    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        node.dynamicTaskNameParam == nil ? [Validation.required("dynamicTaskNameParam", node)] : []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        let param = node.dynamicTaskNameParam ?? ""
        let input = InputResolution(workflow: request.workflow, taskId: nil).resolve(node.inputParameters)
        guard let name = input[param]?.stringValue, !name.isEmpty else {
            return .end(.failed("Cannot map a dynamic task based on the parameter and input. Parameter= \(param), input= \(JSONWriter.string(.object(input)))"))
        }
        var t = Attempts.worker(node, request, ctx)
        t.taskType = name
        t.taskDefName = name
        t.domain = Attempts.domain(queueType: name, in: request.workflow, ctx)
        return Mapping(tasks: [t])
    }

    var isWorkerTask: Bool { true }
}
