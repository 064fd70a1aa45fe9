import BatonSupport

/// Management operations, each one command: all of it is applied, or none.
extension WorkflowService {
    public func pause(_ id: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.pause(id, in: changes) }
    }

    public func resume(_ id: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.resume(id, in: changes) }
    }

    public func terminate(_ id: String, reason: String?, triggerFailureWorkflow: Bool) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Commands.terminate(id, reason: reason, triggerFailureWorkflow: triggerFailureWorkflow, in: changes)
        }
    }

    public func restart(_ id: String, useLatestDefinitions: Bool) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Commands.restart(id, useLatestDefinitions: useLatestDefinitions, in: changes)
        }
    }

    public func retry(_ id: String, resumeSubworkflowTasks: Bool) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Commands.retry(id, resumeSubworkflowTasks: resumeSubworkflowTasks, in: changes)
        }
    }

    public func skip(_ id: String, ref: String, request: SkipTaskRequest) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.skip(id, ref: ref, request: request, in: changes) }
    }

    public func rerun(_ id: String, _ request: RerunRequest) throws(EngineError) -> String {
        try loop.perform { changes throws(EngineError) in try Commands.rerun(id, request, in: changes) }
    }

    public func remove(_ id: String, archive: Bool) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.remove(id, archive: archive, in: changes) }
    }

    /// Terminates, then removes; a refused terminate (COMPLETED) removes nothing.
    public func terminateAndRemove(_ id: String, reason: String?, archive: Bool) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in
            try Commands.terminate(id, reason: reason, triggerFailureWorkflow: false, in: changes)
            try Commands.remove(id, archive: archive, in: changes)
        }
    }

    public func resetCallbacks(_ id: String) throws(EngineError) {
        try loop.perform { changes throws(EngineError) in try Commands.resetCallbacks(id, in: changes) }
    }

    /// The outcome of a bulk operation: ids that succeeded, and a message per id that did not.
    public struct BulkResult: Sendable {
        public var succeeded: [String] = []
        public var failed: [(String, String)] = []
    }

    public enum BulkOperation: Sendable {
        case pause, resume, retry
        case restart(useLatestDefinitions: Bool)
        case terminate(reason: String?, triggerFailureWorkflow: Bool)
        case remove(archive: Bool)
        case terminateRemove(reason: String?, archive: Bool)
    }

    /// Applies `operation` to each id in one command. Each id is settled behind a savepoint of its own,
    /// so one refused id (or one whose follow-ups fail) leaves no trace and the others still apply.
    /// Storage failures are not refusals: they fail the whole call.
    public func bulk(_ ids: [String], _ operation: BulkOperation) throws(EngineError) -> BulkResult {
        try loop.perform { changes throws(EngineError) in
            var result = BulkResult()
            for id in ids {
                let before = changes.savepoint()
                do throws(EngineError) {
                    try Self.apply(operation, to: id, in: changes)
                    try changes.settle()
                    result.succeeded.append(id)
                } catch {
                    if case .storage = error { throw error }
                    changes.rollback(to: before)
                    result.failed.append((id, error.message))
                }
            }
            return result
        }
    }

    private static func apply(_ operation: BulkOperation, to id: String, in changes: ChangeSet) throws(EngineError) {
        switch operation {
        case .pause: try Commands.pause(id, in: changes)
        case .resume: try Commands.resume(id, in: changes)
        case .retry: try Commands.retry(id, resumeSubworkflowTasks: false, in: changes)
        case .restart(let latest): try Commands.restart(id, useLatestDefinitions: latest, in: changes)
        case .terminate(let reason, let trigger):
            try Commands.terminate(id, reason: reason, triggerFailureWorkflow: trigger, in: changes)
        case .remove(let archive): try Commands.remove(id, archive: archive, in: changes)
        case .terminateRemove(let reason, let archive):
            try Commands.terminate(id, reason: reason, triggerFailureWorkflow: false, in: changes)
            try Commands.remove(id, archive: archive, in: changes)
        }
    }
}
