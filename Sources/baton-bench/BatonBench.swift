import BatonSQLite
import BatonSupport
import Foundation

/// Drives a running Baton over keep-alive connections and prints requests/s and latency percentiles.
///
///   baton-bench [--url http://127.0.0.1:8080] [--seconds 3] [--connections 1,64] [--runs 3]
///
/// Each scenario runs `--runs` times; the figures printed are the medians of those runs, since a
/// single run on a shared 2-core machine is noisy.
@main
enum BatonBench {
    static func main() {
        var url = "http://127.0.0.1:8080"
        var seconds = 3.0
        var connections = [1, 64]
        var runs = 3
        var scenarios = ["health", "metadata-get"]
        var sqliteDir = FileManager.default.temporaryDirectory.path
        var workers = [1, 4, 16]
        var starters = 16
        var uiExecutions = 100_000
        var scaleExecutions = 1_000_000
        var args = CommandLine.arguments.dropFirst()
        while let a = args.popFirst() {
            switch a {
            case "--url": url = args.popFirst() ?? url
            case "--seconds": seconds = Double(args.popFirst() ?? "") ?? seconds
            case "--connections": connections = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--runs": runs = max(1, Int(args.popFirst() ?? "") ?? runs)
            case "--scenarios": scenarios = (args.popFirst() ?? "").split(separator: ",").map(String.init)
            case "--sqlite-dir": sqliteDir = args.popFirst() ?? sqliteDir
            case "--workers": workers = (args.popFirst() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--starters": starters = max(1, Int(args.popFirst() ?? "") ?? starters)
            case "--ui-executions": uiExecutions = max(1, Int(args.popFirst() ?? "") ?? uiExecutions)
            case "--scale-executions": scaleExecutions = max(1, Int(args.popFirst() ?? "") ?? scaleExecutions)
            case "--help", "-h":
                print("usage: baton-bench [--url URL] [--seconds S] [--connections 1,64] [--runs N] [--scenarios LIST] [--sqlite-dir DIR]")
                print("                   [--workers 1,4,16] [--starters 16]   (end-to-end scenario)")
                print("                   [--ui-executions 100000]   (executions stored before the ui scenario's page renders)")
                print("                   [--scale-executions 1000000]   (executions the scale scenario stores between its two measures)")
                print("scenarios: health, metadata-get, workflow-get, workflow-get-running, search, raw, start, e2e, execute, dispatch, sqlite, fanout, linear, jq, schedules, metrics, connections, ui, scale")
                return
            default:
                FileHandle.standardError.write(Data("baton-bench: unknown argument \(a)\n".utf8))
                exit(2)
            }
        }
        guard let parsed = URL(string: url), let host = parsed.host, let port = parsed.port else {
            FileHandle.standardError.write(Data("baton-bench: --url must look like http://127.0.0.1:8080\n".utf8))
            exit(2)
        }
        do {
            let h = host == "localhost" ? "127.0.0.1" : host
            let httpScenarios = scenarios.filter { ["health", "metadata-get", "raw", "workflow-get", "workflow-get-running", "search"].contains($0) }
            if !httpScenarios.isEmpty {
                try run(host: h, port: port, seconds: seconds, connections: connections, runs: runs, scenarios: httpScenarios)
            }
            var execution = ExecutionScenarios(host: h, port: port, seconds: seconds)
            execution.starters = starters
            try runExecution(execution, runs: runs, scenarios: scenarios, sqliteDir: sqliteDir, workers: workers)
            // Last: its prefill makes the store large for whatever would run after it.
            if scenarios.contains("ui") { try runUI(host: h, port: port, executions: uiExecutions) }
            if scenarios.contains("scale") { try runScale(ScaleScenario(bench: execution, runs: runs), executions: scaleExecutions) }
        } catch {
            FileHandle.standardError.write(Data("baton-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }

    static func runUI(host: String, port: Int, executions: Int) throws {
        let f = try UIScenario(host: host, port: port).run(executions: executions, samples: 30)
        print(String(format: "web UI with %d stored executions (prefilled in %.1f s, %.0f starts/s); GET, server and loopback, 30 samples:",
                     f.prefilled, f.prefillSeconds, Double(f.prefilled) / max(f.prefillSeconds, 0.001)))
        for page in f.pages {
            print(String(format: "  %-42@ p50 %7.2f ms   p99 %7.2f ms   %8d bytes", page.label as NSString,
                         percentile(page.millis, 0.5), percentile(page.millis, 0.99), page.bytes))
        }
    }

    static func runScale(_ scale: ScaleScenario, executions: Int) throws {
        let empty = try scale.figures(searchName: "none")
        let bytes = try scale.bytesPerWorkflow(count: 10_000)
        print(String(format: "stored one-task workflow (100-byte input, completed by a worker)  %6.0f bytes  (10,000 of them)", bytes))
        let fill = try scale.fill(count: executions)
        let full = try scale.figures(searchName: fill.name)
        print(String(format: "stored %d ended one-task workflows in %.0f s (%.0f starts/s)", executions, fill.seconds, Double(executions) / max(fill.seconds, 0.001)))
        for (label, f) in [("before", empty), ("after", full)] {
            print(String(format: "  %-6@ %8d stored: start, 16 connections %6.0f/s   end-to-end, 16 workers %6.0f/s   search first page p50 %6.2f ms, by name and status p50 %6.2f ms",
                         label as NSString, f.stored, f.startsPerSecond, f.endToEndPerSecond, percentile(f.searchMillis, 0.5), percentile(f.searchByNameMillis, 0.5)))
        }
        print(String(format: "  after/before: start %.2f   end-to-end %.2f  (medians of %d)", full.startsPerSecond / max(empty.startsPerSecond, 1),
                     full.endToEndPerSecond / max(empty.endToEndPerSecond, 1), scale.runs))
    }

    static func runExecution(_ bench: ExecutionScenarios, runs: Int, scenarios: [String], sqliteDir: String, workers: [Int]) throws {
        if scenarios.contains("sqlite") {
            for mode in [SynchronousMode.full, .normal] {
                let rates = try (0..<runs).map { _ in
                    try SQLiteBaseline.startInsertsPerSecond(path: sqliteDir + "/baton-bench-sqlite.db", synchronous: mode, seconds: bench.seconds)
                }
                print(String(format: "sqlite start-rows (%@, 1 commit each)   %8.0f tx/s  (median of %d)", mode.rawValue, median(rates), runs))
            }
        }
        if scenarios.contains("start") {
            for c in [1, 16] {
                let rates = try (0..<runs).map { _ in try bench.startRate(connections: c) }
                print(String(format: "start, %2d connections               %8.0f workflows/s  (median of %d)", c, median(rates), runs))
            }
        }
        if scenarios.contains("e2e") {
            for w in workers {
                let rates = try (0..<runs).map { _ in try bench.endToEnd(workers: w) }
                print(String(format: "end-to-end one-task, %2d workers, %2d starting  %8.0f workflows/s  (median of %d)", w, bench.starters, median(rates), runs))
            }
        }
        if scenarios.contains("execute") {
            let results = try (0..<runs).map { _ in try bench.executeLatency(samples: 300) }
            let p50 = median(results.map { percentileMillis($0, 0.5) }), p99 = median(results.map { percentileMillis($0, 0.99) })
            print(String(format: "sync execute one-task               p50 %6.3f ms   p99 %6.3f ms  (medians of %d runs)", p50, p99, runs))
        }
        if scenarios.contains("fanout") {
            let results = try (0..<runs).map { _ in try bench.fanOut(branches: 100, workers: 4, count: 20) }
            let p50 = median(results.map { percentileMillis($0.latencies, 0.5) }), p99 = median(results.map { percentileMillis($0.latencies, 0.99) })
            print(String(format: "FORK_JOIN 100 SIMPLE, 4 workers     p50 %6.1f ms   p99 %6.1f ms per workflow, %6.0f tasks/s  (medians of %d runs)",
                         p50, p99, median(results.map(\.tasksPerSecond)), runs))
        }
        if scenarios.contains("linear") {
            let results = try (0..<runs).map { _ in try bench.linear(tasks: 10, count: 30) }
            let p50 = median(results.map { percentileMillis($0.latencies, 0.5) }), p99 = median(results.map { percentileMillis($0.latencies, 0.99) })
            let g50 = median(results.map { percentileMillis($0.gaps, 0.5) }), g99 = median(results.map { percentileMillis($0.gaps, 0.99) })
            print(String(format: "10-task linear, update-v2 worker    p50 %6.1f ms   p99 %6.1f ms per workflow (%4.0f tasks/s)  (medians of %d runs)",
                         p50, p99, 10_000 / max(p50, 0.001), runs))
            print(String(format: "completion sent -> next task held   p50 %6.3f ms   p99 %6.3f ms", g50, g99))
        }
        if scenarios.contains("jq") {
            let results = try (0..<runs).map { _ in try bench.jqTransform(samples: 200) }
            let p50 = median(results.map { percentileMillis($0, 0.5) }), p99 = median(results.map { percentileMillis($0, 0.99) })
            print(String(format: "sync execute JSON_JQ_TRANSFORM      p50 %6.3f ms   p99 %6.3f ms  (%5.0f runs/s, medians of %d runs)",
                         p50, p99, 1000 / max(p50, 0.001), runs))
        }
        if scenarios.contains("metrics") {
            let w = workers.max() ?? 16
            let r = try bench.metricsCost(workers: w, runs: runs)
            let ratios = zip(r.with, r.without).map { $0 / max($1, 1) }
            print(String(format: "end-to-end one-task, %2d workers: %8.0f workflows/s, %8.0f with /metrics scraped every 100 ms (ratio %.2f, median of %d paired)",
                         w, median(r.without), median(r.with), median(ratios), runs))
            print(String(format: "GET /metrics under that load         p50 %6.2f ms   p99 %6.2f ms  (%d scrapes)",
                         percentile(r.scrapeMillis, 0.5), percentile(r.scrapeMillis, 0.99), r.scrapeMillis.count))
        }
        if scenarios.contains("schedules") {
            let count = 10_000, sampled = 100, w = workers.max() ?? 16
            let f = try bench.scheduleLoad(count: count, sampled: sampled, workers: w, runs: runs)
            print(String(format: "%d schedules every second (saved in %.1f s)  %8.0f fires/s sustained  (median of %d)",
                         count, f.createSeconds, median(f.firesPerSecond), runs))
            print(String(format: "due -> fire ran (all fires of one second)   p50 %6.1f ms   p99 %6.1f ms  (%d fires)",
                         percentile(f.fireLateness, 0.5), percentile(f.fireLateness, 0.99), f.fireLateness.count))
            print(String(format: "due -> worker holds the task (%d sampled)  p50 %6.1f ms   p99 %6.1f ms  (%d tasks)",
                         sampled, percentile(f.workerDelay, 0.5), percentile(f.workerDelay, 0.99), f.workerDelay.count))
            let without = median(f.endToEndWithout), with = median(f.endToEndWith)
            print(String(format: "end-to-end one-task, %2d workers: %8.0f workflows/s without schedules, %8.0f with (ratio %.2f)",
                         w, without, with, with / max(without, 1)))
        }
        if scenarios.contains("connections") {
            let scale = ConnectionScaleScenario(host: bench.host, port: bench.port)
            let results = try (0..<runs).map { _ in try scale.run(idle: 10_000, polling: 1_000) }
            let f = results.sorted { $0.threads < $1.threads }[results.count / 2]
            print(String(format: "%d idle keep-alive + %d parked long polls: %3.0f server threads, %5.1f MB RSS; new client answered p50 %5.2f ms, max %5.2f ms  (median of %d)",
                         f.idle, f.polling, f.threads, f.residentMB, percentile(f.newClientMillis, 0.5), f.newClientMillis.max() ?? 0, runs))
        }
        if scenarios.contains("dispatch") {
            let results = try (0..<runs).map { _ in try bench.dispatchLatency(samples: 300) }
            for (label, pick) in [("start sent -> long-poller has task ", { (r: (fromSend: [UInt64], fromAck: [UInt64])) in r.fromSend }),
                                  ("start answered -> poller has task  ", { (r: (fromSend: [UInt64], fromAck: [UInt64])) in r.fromAck })] {
                let p50 = median(results.map { percentileMillis(pick($0), 0.5) }), p99 = median(results.map { percentileMillis(pick($0), 0.99) })
                print(String(format: "%@ p50 %6.3f ms   p99 %6.3f ms  (medians of %d runs)", label as NSString, p50, p99, runs))
            }
            let polls = try (0..<runs).map { _ in try bench.pollLatency(samples: 300) }
            let q50 = median(polls.map { percentileMillis($0, 0.5) }), q99 = median(polls.map { percentileMillis($0, 0.99) })
            print(String(format: "poll with a task queued (round trip) p50 %6.3f ms   p99 %6.3f ms  (medians of %d runs)", q50, q99, runs))
        }
    }

    static func get(_ path: String) -> [UInt8] {
        Array("GET \(path) HTTP/1.1\r\nHost: bench\r\nAccept: application/json\r\n\r\n".utf8)
    }

    /// Two executions of a ten-task workflow to read back: one ended (read from SQLite), one still
    /// running on its eleventh task, a WAIT (read from the engine's memory).
    static func readableWorkflows(host: String, port: Int) throws -> (ended: String, running: String) {
        let suffix = IDs.uuid().prefix(8)
        let c = try BenchConnection(host: host, port: port)
        func must(_ request: [UInt8]) throws -> String {
            let (status, body) = try c.roundTrip(request)
            guard status == 200 else { throw BenchError("read setup: HTTP \(status) \(String(decoding: body.prefix(300), as: UTF8.self))") }
            return String(decoding: body, as: UTF8.self)
        }
        let steps = (1...10).map { #"{"name":"s\#($0)","taskReferenceName":"s\#($0)","type":"SET_VARIABLE","inputParameters":{"v\#($0)":"${workflow.input.x}"}}"# }
        for (name, tasks) in [("bench_read_\(suffix)", steps), ("bench_read_open_\(suffix)", steps + [#"{"name":"hold","taskReferenceName":"hold","type":"WAIT"}"#])] {
            _ = try must(ExecutionScenarios.request("POST", "/api/metadata/workflow?overwrite=true",
                                                    body: #"{"name":"\#(name)","version":1,"tasks":[\#(tasks.joined(separator: ","))]}"#))
        }
        let input = #"{"x":"\#(String(repeating: "r", count: 100))"}"#
        return (try must(ExecutionScenarios.request("POST", "/api/workflow/bench_read_\(suffix)", body: input)),
                try must(ExecutionScenarios.request("POST", "/api/workflow/bench_read_open_\(suffix)", body: input)))
    }

    static func run(host: String, port: Int, seconds: Double, connections: [Int], runs: Int, scenarios: [String]) throws {
        // A definition of realistic size to read back: five tasks with expressions.
        let name = "bench_wf_\(IDs.uuid().prefix(8))"
        if scenarios.contains("metadata-get") {
            let tasks = (1...5).map { i in
                #"{"name":"task_\#(i)","taskReferenceName":"t\#(i)","inputParameters":{"x":"${workflow.input.x}","prev":"${t\#(max(1, i - 1)).output.y}"}}"#
            }.joined(separator: ",")
            let body = #"{"name":"\#(name)","version":1,"tasks":[\#(tasks)],"outputParameters":{"r":"${t5.output}"}}"#
            let req = Array("POST /api/metadata/workflow?overwrite=true HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
            let (status, text) = try BenchConnection(host: host, port: port).roundTrip(req)
            guard status == 200 else { throw BenchError("registering the benchmark workflow failed: \(status) \(String(decoding: text, as: UTF8.self))") }
        }
        var paths: [String: String] = ["health": "/health", "metadata-get": "/api/metadata/workflow/\(name)", "raw": "/",
                                       "search": "/api/workflow/search?size=25"]
        if scenarios.contains(where: { $0.hasPrefix("workflow-get") || $0 == "search" }) {
            let (ended, running) = try readableWorkflows(host: host, port: port)
            paths["workflow-get"] = "/api/workflow/\(ended)"
            paths["workflow-get-running"] = "/api/workflow/\(running)"
        }
        print("scenario          conns   req/s (median of \(runs))   p50 ms   p99 ms   errors")
        for scenario in scenarios {
            guard let path = paths[scenario] else { throw BenchError("unknown scenario \(scenario)") }
            for c in connections {
                var results: [LoadResult] = []
                for _ in 0..<runs {
                    results.append(try runLoad(host: host, port: port, request: get(path), connections: c, seconds: seconds))
                }
                let median = results.sorted { $0.rate < $1.rate }[results.count / 2]
                let p50s = results.map { $0.percentile(0.50) }.sorted()
                let p99s = results.map { $0.percentile(0.99) }.sorted()
                let errors = results.reduce(0) { $0 + $1.errors }
                print(String(format: "%-16@  %5d   %22.0f   %6.3f   %6.3f   %d", scenario as NSString, c, median.rate,
                             p50s[p50s.count / 2], p99s[p99s.count / 2], errors))
            }
        }
    }
}
