/// Walking a definition: which node follows a finished one (OSS `WorkflowDef.getNextTask`).
extension WorkflowTask {
    /// Nested lists in OSS `children()` order: decision cases, default case, fork branches, loop body.
    var childLists: [[WorkflowTask]] {
        switch taskType {
        case .switchTask, .decision: return decisionCases.map(\.tasks) + [defaultCase]
        case .doWhile: return [loopOver]
        case .forkJoin: return forkTasks
        default: return []
        }
    }

    /// Whether this node is, or contains, the reference name.
    func has(_ ref: String) -> Bool {
        if taskReferenceName == ref { return true }
        return childLists.contains { $0.contains { $0.has(ref) } }
    }

    /// The node that follows `ref` inside this node, or nil (OSS `WorkflowTask.next`).
    func next(after ref: String, parent: WorkflowTask?) -> WorkflowTask? {
        switch taskType {
        case .doWhile, .decision, .switchTask:
            for list in childLists {
                var iterator = list.makeIterator()
                while let task = iterator.next() {
                    if task.taskReferenceName == ref { break }
                    if let n = task.next(after: ref, parent: self) { return n }
                    if task.has(ref) { break }
                }
                if let following = iterator.next() { return following }
            }
            // The last task of a loop body hands control back to the loop itself.
            if taskType == .doWhile && has(ref) { return self }
            return nil
        case .forkJoin:
            var found = false
            for list in childLists {
                var iterator = list.makeIterator()
                while let task = iterator.next() {
                    if task.taskReferenceName == ref { found = true; break }
                    if let n = task.next(after: ref, parent: self) { return n }
                    if task.has(ref) { break }
                }
                if let following = iterator.next() { return following }
                if found, let parent { return parent.next(after: taskReferenceName, parent: parent) }
            }
            return nil
        default:
            return nil
        }
    }
}

extension WorkflowDef {
    /// Finds a node at any depth.
    public func task(ref: String) -> WorkflowTask? { nodesByRef[ref] }

    /// The node after `ref` (OSS `getNextTask`): within its list, else after its enclosing SWITCH, nil for
    /// the end of a fork branch or of the workflow, the loop itself for the end of a loop body.
    public func nextTask(after ref: String) -> WorkflowTask? {
        // Nodes of the definition were worked out once; others (dynamically forked) have no successor.
        guard nodesByRef[ref] != nil else { return nil }
        return nextRefByRef[ref].flatMap { nodesByRef[$0] }
    }

    func computeNextTask(after ref: String) -> WorkflowTask? {
        if let node = nodesByRef[ref], node.taskType == .terminate { return nil }
        var iterator = tasks.makeIterator()
        while let task = iterator.next() {
            if task.taskReferenceName == ref { break }
            if let n = task.next(after: ref, parent: nil) { return n }
            if task.taskType == .doWhile && task.taskReferenceName != ref && task.has(ref) { return nil }
            if task.has(ref) { break }
        }
        return iterator.next()
    }
}

/// `ref__3` → `ref`; DO_WHILE iterations suffix reference names this way.
public func baseReferenceName(_ ref: String) -> String {
    guard let range = ref.range(of: "__", options: .backwards),
          !ref[range.upperBound...].isEmpty, ref[range.upperBound...].allSatisfy(\.isNumber) else { return ref }
    return String(ref[..<range.lowerBound])
}

import Foundation
