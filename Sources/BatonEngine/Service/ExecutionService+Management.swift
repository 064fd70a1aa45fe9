import BatonSupport

/// Management operations, each one engine command (one transaction).
extension ExecutionService {
    public func pause(_ id: String) throws { try engine.perform { try $0.pause(id) } }
    public func resume(_ id: String) throws { try engine.perform { try $0.resume(id) } }

    public func terminate(_ id: String, reason: String?, triggerFailureWorkflow: Bool) throws {
        try engine.perform { try $0.terminate(id, reason: reason, triggerFailureWorkflow: triggerFailureWorkflow) }
    }

    public func restart(_ id: String, useLatestDefinitions: Bool) throws {
        try engine.perform { try $0.restart(id, useLatestDefinitions: useLatestDefinitions) }
    }

    public func retry(_ id: String, resumeSubworkflowTasks: Bool) throws {
        try engine.perform { try $0.retry(id, resumeSubworkflowTasks: resumeSubworkflowTasks) }
    }

    public func skip(_ id: String, ref: String, request: SkipTaskRequest) throws {
        try engine.perform { try $0.skip(id, ref: ref, request: request) }
    }

    public func rerun(_ id: String, _ request: RerunRequest) throws -> String {
        try engine.perform { try $0.rerun(id, request) }
    }

    public func remove(_ id: String, archive: Bool) throws {
        try engine.perform { try $0.remove(id, archive: archive) }
    }

    /// Terminates, then removes; a refused terminate (COMPLETED) removes nothing.
    public func terminateAndRemove(_ id: String, reason: String?, archive: Bool) throws {
        try engine.perform { core in
            try core.terminate(id, reason: reason, triggerFailureWorkflow: false)
            try core.remove(id, archive: archive)
        }
    }

    public func resetCallbacks(_ id: String) throws { try engine.perform { try $0.resetCallbacks(id) } }

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

    /// Applies `operation` to each id in one batch; refusals are collected, not thrown.
    public func bulk(_ ids: [String], _ operation: BulkOperation) throws -> BulkResult {
        try engine.perform { core in
            var result = BulkResult()
            for id in ids {
                do {
                    switch operation {
                    case .pause: try core.pause(id)
                    case .resume: try core.resume(id)
                    case .retry: try core.retry(id, resumeSubworkflowTasks: false)
                    case .restart(let latest): try core.restart(id, useLatestDefinitions: latest)
                    case .terminate(let reason, let trigger): try core.terminate(id, reason: reason, triggerFailureWorkflow: trigger)
                    case .remove(let archive): try core.remove(id, archive: archive)
                    case .terminateRemove(let reason, let archive):
                        try core.terminate(id, reason: reason, triggerFailureWorkflow: false)
                        try core.remove(id, archive: archive)
                    }
                    result.succeeded.append(id)
                } catch {
                    result.failed.append((id, (error as? EngineError)?.message ?? "\(error)"))
                }
            }
            return result
        }
    }
}
