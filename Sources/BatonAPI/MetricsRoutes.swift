import BatonEngine
import BatonHTTP
import BatonSupport
import Foundation

/// What `/metrics` reports beyond the engine and the routes: the server's connections, the database
/// size, the process start.
public struct Observability: Sendable {
    public var connections: ConnectionStatistics
    public var databaseBytes: @Sendable () -> Int64
    /// Seconds since the epoch.
    public var processStartTime: Double

    public init(connections: ConnectionStatistics, databaseBytes: @escaping @Sendable () -> Int64, processStartTime: Double) {
        self.connections = connections
        self.databaseBytes = databaseBytes
        self.processStartTime = processStartTime
    }
}

/// `GET /metrics` and `/actuator/prometheus` (OSS's path): Prometheus text format 0.0.4. Counters
/// are bumped with atomic adds where they happen (routes, worker calls, commits) or counted by the
/// engine thread as changes reach its memory; a scrape reads them, it never blocks them.
public enum MetricsRoutes {
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    static func register(on router: inout Router, _ executions: WorkflowService, _ observability: Observability) {
        let routes = router.statistics
        let handler = API.handler { _ in
            var r = HTTPResponse(status: 200, body: Array(try text(executions, routes, observability).utf8))
            r.headers.set("Content-Type", contentType)
            return r
        }
        router.add("GET", "/metrics", handler)
        router.add("GET", "/actuator/prometheus", handler)
    }

    /// The scrape's text; the web UI's server page shows the same figures.
    public static func text(_ executions: WorkflowService, _ routes: RouterStatistics, _ o: Observability) throws -> String {
        let engine = try executions.engineMetrics()
        var p = PrometheusText()
        func counts(_ name: String, _ help: String, _ table: [ExecutionCounts.Key: Int], label: String, started: String?) {
            p.family(name, "counter", help)
            for (k, n) in table.sorted(by: { ($0.key.label, $0.key.event) < ($1.key.label, $1.key.event) }) {
                if let started {
                    if k.event == started { p.sample(name, [(label, k.label)], n) }
                } else if k.event != "started" && k.event != "scheduled" {
                    p.sample(name, [(label, k.label), ("status", k.event)], n)
                }
            }
        }
        counts("baton_workflows_started_total", "Workflows started, by name.", engine.counts.workflows, label: "workflowName", started: "started")
        counts("baton_workflows_ended_total", "Workflows that ended, by name and the status they ended in.", engine.counts.workflows,
               label: "workflowName", started: nil)
        counts("baton_tasks_scheduled_total", "Task attempts scheduled, by task type.", engine.counts.tasks, label: "taskType", started: "scheduled")
        counts("baton_tasks_ended_total", "Task attempts that ended, by task type and the status they ended in.", engine.counts.tasks,
               label: "taskType", started: nil)

        p.family("baton_task_queue_depth", "gauge", "Tasks waiting to be polled, by queue ([domain:]type).")
        for (q, n) in engine.queueDepth.sorted(by: { $0.key < $1.key }) { p.sample("baton_task_queue_depth", [("queue", q)], n) }
        p.family("baton_tasks_in_progress", "gauge", "Worker tasks handed out and not finished, by task definition.")
        for (t, n) in engine.inProgress.sorted(by: { $0.key < $1.key }) where n > 0 { p.sample("baton_tasks_in_progress", [("taskDefName", t)], n) }
        p.family("baton_workflows_active", "gauge", "Workflows running or paused.")
        p.sample("baton_workflows_active", [], engine.activeWorkflows)
        p.family("baton_schedules", "gauge", "Workflow schedules saved.")
        p.sample("baton_schedules", [], engine.schedules)

        let calls = executions.workerCalls
        p.family("baton_task_polls_total", "counter", "Task polls answered, by whether they handed out a task.")
        p.sample("baton_task_polls_total", [("result", "task")], calls.value(WorkflowService.WorkerCall.pollWithTask.rawValue))
        p.sample("baton_task_polls_total", [("result", "empty")], calls.value(WorkflowService.WorkerCall.pollEmpty.rawValue))
        p.family("baton_task_updates_total", "counter", "Task updates received from workers.")
        p.sample("baton_task_updates_total", [], calls.value(WorkflowService.WorkerCall.update.rawValue))

        p.family("baton_engine_batch_commands", "histogram", "Commands carried out per engine batch.")
        p.histogram("baton_engine_batch_commands", [], engine.batchSizes)
        p.family("baton_sqlite_commit_seconds", "histogram", "Time to write one transaction of batches to SQLite.")
        p.histogram("baton_sqlite_commit_seconds", [], engine.commitSeconds)

        // Only routes that answered something: every one of ~150 routes at every scrape is noise.
        let used = ([routes.unmatched] + routes.routes).filter { !$0.byStatus.isEmpty }
        p.family("baton_http_requests_total", "counter", "HTTP requests answered, by route template and status.")
        for r in used {
            for (status, n) in r.byStatus { p.sample("baton_http_requests_total", [("method", r.method), ("route", r.pattern), ("status", status)], n) }
        }
        p.family("baton_http_request_duration_seconds", "histogram", "Time a route's handler took, by route template.")
        for r in used { p.histogram("baton_http_request_duration_seconds", [("method", r.method), ("route", r.pattern)], r.seconds) }
        p.family("baton_http_open_connections", "gauge", "HTTP connections open.")
        p.sample("baton_http_open_connections", [], o.connections.open.load(ordering: .relaxed))
        p.family("baton_http_connections_accepted_total", "counter", "HTTP connections accepted.")
        p.sample("baton_http_connections_accepted_total", [], o.connections.accepted.load(ordering: .relaxed))

        p.family("baton_database_bytes", "gauge", "Size of the SQLite database (pages in use and free).")
        p.sample("baton_database_bytes", [], Double(o.databaseBytes()))
        ProcessFigures.write(into: &p, startTime: o.processStartTime)
        return p.text
    }
}

/// The process's own figures under Prometheus's standard names, from `/proc/self` (Linux).
enum ProcessFigures {
    static func write(into p: inout PrometheusText, startTime: Double) {
        if let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
           let close = stat.lastIndex(of: ")") {
            // Fields after the command name, which may itself hold spaces: state is field 3.
            let f = stat[stat.index(after: close)...].split(separator: " ").map(String.init)
            let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
            if f.count > 17, let threads = Double(f[17]) {
                p.family("process_threads", "gauge", "Threads of the process.")
                p.sample("process_threads", [], threads)
            }
            if f.count > 22, let utime = Double(f[11]), let stime = Double(f[12]), let vsize = Double(f[20]), let rss = Double(f[21]) {
                p.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.")
                p.sample("process_cpu_seconds_total", [], (utime + stime) / ticks)
                p.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.")
                p.sample("process_virtual_memory_bytes", [], vsize)
                p.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.")
                p.sample("process_resident_memory_bytes", [], rss * Double(sysconf(Int32(_SC_PAGESIZE))))
            }
        }
        if let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") {
            p.family("process_open_fds", "gauge", "Open file descriptors.")
            p.sample("process_open_fds", [], fds.count)
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 {
            p.family("process_max_fds", "gauge", "Maximum number of open file descriptors.")
            p.sample("process_max_fds", [], Double(limit.rlim_cur))
        }
        p.family("process_start_time_seconds", "gauge", "Start time of the process since the epoch, in seconds.")
        p.sample("process_start_time_seconds", [], startTime)
    }
}
