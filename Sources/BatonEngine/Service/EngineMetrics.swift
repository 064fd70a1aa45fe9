import BatonSupport

/// The engine's figures for `/metrics`, read in one command so they are consistent with each other.
public struct EngineMetrics: Sendable {
    public var counts: ExecutionCounts
    /// Tasks waiting in each queue (`[domain:]type`).
    public var queueDepth: [String: Int]
    /// Worker tasks handed out and not finished, by task definition.
    public var inProgress: [String: Int]
    public var activeWorkflows: Int
    public var schedules: Int
    public var batchSizes: Histogram
    public var commitSeconds: Histogram
}

extension WorkflowService {
    public func engineMetrics() throws(EngineError) -> EngineMetrics {
        let loop = self.loop
        return try loop.perform(durable: false) { changes in
            let state = changes.state
            return EngineMetrics(counts: state.counts, queueDepth: state.queues.mapValues(\.count), inProgress: state.inProgressCount,
                                 activeWorkflows: state.workflows.count, schedules: state.schedules.count,
                                 batchSizes: loop.batchSizes, commitSeconds: loop.commitSeconds)
        }
    }
}
