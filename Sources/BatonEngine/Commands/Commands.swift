import BatonSupport

/// The engine's commands. Each is a function of the engine state (read through a `ChangeSet`), its
/// arguments and the change's time, that stages everything it changes in that change set and throws
/// when it refuses; the engine applies the change set only when the command returns. One file per
/// command (or per family of commands).
enum Commands {
    /// Runs one command in a change set of its own and applies the change to the state only when the
    /// command and every follow-up it caused succeed; otherwise the state is exactly as before.
    static func run<T>(_ body: (ChangeSet) throws(EngineError) -> T, on state: EngineState, _ env: EngineEnvironment,
                       faults: FaultInjector? = nil) -> Result<T, EngineError> {
        let changes = ChangeSet(state: state, env: env, now: state.now, faults: faults)
        do {
            let value = try body(changes)
            try changes.settle()
            state.apply(changes)
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

/// Carries out the effects decisions ask for, inside the change that made the decisions.
enum FollowUps {
    static func carryOut(_ effect: Effect, of workflowId: String, in changes: ChangeSet) throws(EngineError) {
        switch effect {
        case .startChild(let taskId): try SubWorkflow.startChild(taskId: taskId, of: workflowId, in: changes)
        case .startWorkflow(let taskId): try StartWorkflow.start(taskId: taskId, of: workflowId, in: changes)
        case .sendHTTP(let taskId): try HTTP.send(taskId: taskId, of: workflowId, in: changes)
        case .publish(let taskId): try Event.publish(taskId: taskId, of: workflowId, in: changes)
        case .terminateChild(let childId, let reason): try Commands.terminateChild(childId, reason: reason, in: changes)
        case .startFailureWorkflow(let failure): try Commands.startFailureWorkflow(failure, for: workflowId, in: changes)
        case .ended: try SubWorkflow.childEnded(workflowId, in: changes)
        case .decideAgain: changes.decideAgainSoon(workflowId)
        }
    }
}
