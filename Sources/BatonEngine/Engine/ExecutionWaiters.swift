import BatonSupport
import Synchronization

/// Synchronous-execute callers waiting for a workflow to end or reach a listed task. The engine claims
/// the satisfied ones with the workflows each batch wrote, and wakes them once that batch is committed.
public final class ExecutionWaiters: Sendable {
    public final class Waiter: Sendable {
        let workflowId: String
        let refs: Set<String>
        private struct Slot {
            /// The state that satisfied the waiter, when that happened before anyone listened.
            var woken: WorkflowModel?
            var listener: (@Sendable (WorkflowModel?) -> Void)?
            var settled = false
        }
        private let slot = Mutex(Slot())

        init(workflowId: String, refs: Set<String>) {
            self.workflowId = workflowId
            self.refs = refs
        }

        /// Calls `then` once: with the committed state that satisfied the waiter (at once if that
        /// already happened), or with nil when `settle(nil)` (the time ran out) comes first.
        func listen(_ then: @escaping @Sendable (WorkflowModel?) -> Void) {
            let now = slot.withLock { s -> WorkflowModel?? in
                guard !s.settled else { return nil }
                if let w = s.woken {
                    s.settled = true
                    return .some(w)
                }
                s.listener = then
                return nil
            }
            if let now { then(now) }
        }

        /// The first of a commit (with the state) and the time running out (nil) answers the listener.
        func settle(_ wf: WorkflowModel?) {
            let call = slot.withLock { s -> (@Sendable (WorkflowModel?) -> Void)? in
                guard !s.settled else { return nil }
                guard let listener = s.listener else {
                    if let wf { s.woken = wf }
                    return nil
                }
                s.settled = true
                s.listener = nil
                return listener
            }
            call?(wf)
        }
    }

    private let byWorkflow = Mutex<[String: [Waiter]]>([:])

    public init() {}

    func register(workflowId: String, refs: Set<String>) -> Waiter {
        let w = Waiter(workflowId: workflowId, refs: refs)
        byWorkflow.withLock { $0[workflowId, default: []].append(w) }
        return w
    }

    func forget(_ w: Waiter) {
        byWorkflow.withLock { map in
            map[w.workflowId]?.removeAll { $0 === w }
            if map[w.workflowId]?.isEmpty == true { map[w.workflowId] = nil }
        }
    }

    /// A waiter whose condition is met, with the state that met it.
    typealias Ready = (waiter: Waiter, workflow: WorkflowModel)

    /// Takes out the waiters whose condition the batch's workflows now meet (to be woken after the
    /// commit). A change in a child counts for the waiters of its top-level workflow: blocking tasks
    /// are looked for in the whole tree.
    func claim(_ committed: [String: WorkflowModel], lookup: (String) -> WorkflowModel?) -> [Ready] {
        guard !committed.isEmpty else { return [] }
        let ready: [(Waiter, WorkflowModel)] = byWorkflow.withLock { map in
            guard !map.isEmpty else { return [] }
            var out: [(Waiter, WorkflowModel)] = []
            var roots: Set<String> = []
            for wf in committed.values {
                var current = wf
                var hops = 0
                while let parent = current.parentWorkflowId, hops < 32, let p = committed[parent] ?? lookup(parent) {
                    current = p
                    hops += 1
                }
                roots.insert(wf.workflowId)
                roots.insert(current.workflowId)
            }
            for id in roots {
                guard let list = map[id], let wf = committed[id] ?? lookup(id) else { continue }
                let (done, waiting) = list.reduce(into: ([Waiter](), [Waiter]())) { acc, w in
                    if Self.isSatisfied(wf, refs: w.refs, lookup: { committed[$0] ?? lookup($0) }) { acc.0.append(w) } else { acc.1.append(w) }
                }
                map[id] = waiting.isEmpty ? nil : waiting
                out += done.map { ($0, wf) }
            }
            return out
        }
        return ready
    }

    /// Answers claimed waiters: their batch is committed.
    func wake(_ ready: [Ready]) {
        for (w, wf) in ready { w.settle(wf) }
    }

    /// Puts claimed waiters back: their batch never reached storage, so they wait on (and answer
    /// from storage when their time runs out).
    func restore(_ ready: [Ready]) {
        byWorkflow.withLock { map in
            for (w, _) in ready { map[w.workflowId, default: []].append(w) }
        }
    }

    /// Ended, or blocked anywhere in the tree: a listed task ended, or a WAIT with no deadline is open
    /// (semantics.md, execute).
    static func isSatisfied(_ wf: WorkflowModel, refs: Set<String>, lookup: (String) -> WorkflowModel? = { _ in nil }) -> Bool {
        if wf.status.isTerminal { return true }
        return isBlocked(wf, refs: refs, lookup: lookup, depth: 0)
    }

    static func isBlocked(_ wf: WorkflowModel, refs: Set<String>, lookup: (String) -> WorkflowModel?, depth: Int) -> Bool {
        for t in wf.tasks {
            if t.status.isTerminal && (refs.contains(t.referenceTaskName) || refs.contains(baseReferenceName(t.referenceTaskName))) { return true }
            if t.behavior.isBlocking(t) { return true }
            if !t.status.isTerminal, depth < 32, let sub = t.behavior.childWorkflowId(t), let child = lookup(sub),
               isBlocked(child, refs: refs, lookup: lookup, depth: depth + 1) {
                return true
            }
        }
        return false
    }
}
