/// Message builders shared by the task types' registration rules, worded as OSS words them.
enum Validation {
    static func required(_ field: String, _ node: WorkflowTask) -> String {
        "\(field) field is required for taskType: \(node.type) taskName: \(node.name)"
    }
}
