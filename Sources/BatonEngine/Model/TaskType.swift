import Foundation

/// The built-in task types, spelled as Conductor spells them. A node's `type` and a task attempt's
/// `taskType` are strings; these are the ones Baton gives a meaning. Any other string is a worker task
/// whose queue is that string (and SIMPLE tasks queue under their name). What each type does lives in
/// `Tasks/<Type>.swift`, found through `behavior` — nowhere else names a type.
public enum TaskType: String, Sendable, CaseIterable {
    case simple = "SIMPLE"
    case dynamic = "DYNAMIC"
    case forkJoin = "FORK_JOIN"
    case forkJoinDynamic = "FORK_JOIN_DYNAMIC"
    /// The attempt a FORK_JOIN or FORK_JOIN_DYNAMIC node creates (OSS `TASK_TYPE_FORK`); not a node type.
    case fork = "FORK"
    case decision = "DECISION"
    case switchTask = "SWITCH"
    case join = "JOIN"
    case doWhile = "DO_WHILE"
    case subWorkflow = "SUB_WORKFLOW"
    case startWorkflow = "START_WORKFLOW"
    case event = "EVENT"
    case wait = "WAIT"
    case human = "HUMAN"
    case userDefined = "USER_DEFINED"
    case http = "HTTP"
    case lambda = "LAMBDA"
    case inline = "INLINE"
    case exclusiveJoin = "EXCLUSIVE_JOIN"
    case terminate = "TERMINATE"
    case kafkaPublish = "KAFKA_PUBLISH"
    case jsonJQTransform = "JSON_JQ_TRANSFORM"
    case setVariable = "SET_VARIABLE"
    case noop = "NOOP"
    case pullWorkflowMessages = "PULL_WORKFLOW_MESSAGES"

    /// The built-in type a definition node names, or nil for a custom (worker) type. `FORK` is only ever
    /// an attempt's type; a node typed `FORK` is a worker task, as in OSS.
    public init?(nodeType: String) {
        guard let t = TaskType(rawValue: nodeType), t != .fork else { return nil }
        self = t
    }

    /// The built-in type of a task attempt's `taskType`, or nil for a worker queue.
    public init?(taskType: String) { self.init(rawValue: taskType) }

    /// Types OSS ships in optional modules (LLM, agents, MCP...) that Baton does not run: refused at
    /// registration rather than silently queued for a worker that will never exist.
    public static let unsupportedModuleTypes: Set<String> = [
        "LLM_TEXT_COMPLETE", "LLM_CHAT_COMPLETE", "LLM_GENERATE_EMBEDDINGS", "LLM_GET_EMBEDDINGS",
        "LLM_INDEX_TEXT", "LLM_INDEX_DOCUMENT", "LLM_SEARCH_INDEX", "LLM_STORE_EMBEDDINGS",
        "LLM_SEARCH_EMBEDDINGS", "GET_DOCUMENT", "AGENT", "LIST_MCP_TOOLS",
        "CALL_MCP_TOOL", "GENERATE_IMAGE", "GENERATE_AUDIO", "UPDATE_SECRET", "QUERY_PROCESSOR",
        "BUSINESS_RULE", "GRPC", "OPS_GENIE", "UPDATE_TASK", "GET_SIGNED_JWT", "GET_WORKFLOW",
        "SEND_GRID", "WAIT_FOR_WEBHOOK",
    ]
}
