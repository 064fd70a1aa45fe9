/// SIMPLE, USER_DEFINED, KAFKA_PUBLISH and every custom type: an attempt a worker polls from the queue
/// of its type (a SIMPLE task's queue is its name). KAFKA_PUBLISH without OSS's Kafka module runs like
/// any custom type, as OSS does without it.
struct WorkerTask: TaskBehavior {
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        guard node.taskType == .kafkaPublish else { return [] }
        if node.inputParameters["kafka_request"] == nil && context.taskDef?.inputTemplate["kafka_request"] == nil {
            return [Validation.required("inputParameters.kafka_request", node)]
        }
        return []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.worker(node, request, ctx)])
    }

    var isWorkerTask: Bool { true }
}
