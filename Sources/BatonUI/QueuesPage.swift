import BatonEngine
import BatonSupport

/// `/queues`: for each task type, how many tasks wait, how many workers hold, who polled last and
/// when, and the rate and concurrency limits its definition puts in force.
struct QueuesPage {
    let ui: UIContext
    init(_ ui: UIContext) { self.ui = ui }

    func render() throws -> Page {
        let engine = try ui.executions.engineMetrics()
        let polls = try ui.executions.allPollData()
        let defs = Dictionary(try ui.metadata.allTaskDefs().map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        // A queue is `[domain:]type`; poll data names its domain apart.
        let pollsByQueue = Dictionary(grouping: polls) { p in p.domain.map { "\($0):\(p.queueName)" } ?? p.queueName }
        let queues = Set(engine.queueDepth.keys).union(pollsByQueue.keys).union(defs.keys).union(engine.inProgress.keys).sorted()
        let now = ui.executions.now
        let rows = Markup.join(queues.map { queue in
            let type = queue.split(separator: ":").last.map(String.init) ?? queue
            let def = defs[type]
            let last = pollsByQueue[queue]?.max { $0.lastPollTime < $1.lastPollTime }
            let poll: Markup = last.map { "\(Format.time($0.lastPollTime)) <span class=\"muted\">(\(Format.duration(now - $0.lastPollTime)) ago) by</span> \($0.workerId)" }
                ?? "<span class=\"none\">never polled</span>"
            let rate = def.map { $0.rateLimitPerFrequency > 0 ? "\($0.rateLimitPerFrequency) per \($0.rateLimitFrequencyInSeconds) s" : "none" } ?? "—"
            let concurrency = def.map { $0.concurrentExecLimit.map { String($0) } ?? "none" } ?? "—"
            let depth = engine.queueDepth[queue] ?? 0
            let requeue: Markup = depth > 0 || (engine.inProgress[type] ?? 0) > 0 ? """
                <form data-api="/api/tasks/queue/requeue/\(url: type)" data-method="POST" data-confirm="Requeue pending \(type) tasks?"><button>Requeue</button><output class="result"></output></form>
                """ : .empty
            let name: Markup = def == nil ? "\(queue)" : "<a href=\"/definitions/task/\(url: type)\">\(queue)</a>"
            return """
                <tr data-queue="\(queue)"><td>\(name)</td><td class="num">\(depth)</td><td class="num">\(engine.inProgress[type] ?? 0)</td><td>\(poll)</td><td>\(rate)</td><td>\(concurrency)</td><td>\(requeue)</td></tr>
                """
        })
        let content: Markup = """
            <h1>Queues and workers</h1>
            <table class="list" id="queues"><thead><tr><th>Queue</th><th>Waiting</th><th>In progress</th><th>Last poll</th><th>Rate limit</th><th>Concurrency limit</th><th></th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        return Page(title: "Queues", section: .queues, content: content)
    }
}
