import BatonSupport
import Foundation
import Synchronization

/// Whether the server stays flat as its store grows: start rate, end-to-end rate and a search's first
/// page on the store as it is, then again once it holds `executions` ended one-task workflows (which
/// the scenario stores itself, through the API); and what one stored one-task workflow costs on disk.
struct ScaleScenario {
    let bench: ExecutionScenarios
    let runs: Int

    struct Figures {
        var startsPerSecond: Double
        var endToEndPerSecond: Double
        /// Milliseconds of each first page: newest first, and one workflow name and status.
        var searchMillis: [Double]
        var searchByNameMillis: [Double]
        /// Executions stored when the measures began (they add their own).
        var stored: Int
    }

    private func must(_ c: BenchConnection, _ request: [UInt8], _ what: String) throws -> [UInt8] {
        let (status, body) = try c.roundTrip(request)
        guard (200..<300).contains(status) else { throw BenchError("\(what): HTTP \(status) \(String(decoding: body.prefix(300), as: UTF8.self))") }
        return body
    }

    func figures(searchName: String) throws -> Figures {
        let c = try bench.connection()
        let total = try JSONParser.parse(try must(c, BatonBench.get("/api/workflow/search?size=1"), "count"))["totalHits"]?.int64Value ?? 0
        let starts = try (0..<runs).map { _ in try bench.startRate(connections: 16) }
        let e2e = try (0..<runs).map { _ in try bench.endToEnd(workers: 16) }
        func sample(_ path: String) throws -> [Double] {
            try (0..<30).map { _ in
                let t0 = monotonicNanos()
                _ = try must(c, BatonBench.get(path), "search")
                return Double(monotonicNanos() - t0) / 1e6
            }
        }
        let byName = "workflowType%20IN%20(\(searchName))%20AND%20status%20IN%20(COMPLETED)"
        return Figures(startsPerSecond: BatonBench.median(starts), endToEndPerSecond: BatonBench.median(e2e),
                       searchMillis: try sample("/api/workflow/search?start=0&size=25"),
                       searchByNameMillis: try sample("/api/workflow/search?start=0&size=25&query=\(byName)"),
                       stored: Int(total))
    }

    /// Bytes the store grows by per one-task workflow, started with a 100-byte input and completed by a
    /// worker: `count` of them, the size read from `/metrics` before and after.
    func bytesPerWorkflow(count: Int) throws -> Double {
        let (wf, task) = try bench.registerOneTaskWorkflow("bytes")
        let before = try databaseBytes()
        _ = try startMany(host: bench.host, port: bench.port, count: count) { n in
            ExecutionScenarios.request("POST", "/api/workflow/\(wf)", body: Self.input(n))
        }
        var done = 0
        let c = try bench.connection()
        while done < count {
            let body = try must(c, ExecutionScenarios.request("GET", "/api/tasks/poll/batch/\(task)?workerid=bytes&count=100&timeout=200"), "poll")
            for (wfId, taskId) in try ExecutionScenarios.taskIds(body) {
                let update = #"{"workflowInstanceId":"\#(wfId)","taskId":"\#(taskId)","status":"COMPLETED","outputData":{"r":1}}"#
                _ = try must(c, ExecutionScenarios.request("POST", "/api/tasks", body: update), "update")
                done += 1
            }
        }
        usleep(300_000)   // the last completions' commits
        return Double(try databaseBytes() - before) / Double(count)
    }

    /// A workflow input of exactly 100 bytes of JSON.
    static func input(_ n: Int) -> String {
        let head = #"{"n":\#(n),"who":"bench","payload":""#
        return head + String(repeating: "x", count: max(0, 100 - head.utf8.count - 2)) + #""}"#
    }

    private func databaseBytes() throws -> Int64 {
        let text = String(decoding: try must(try bench.connection(), BatonBench.get("/metrics"), "metrics"), as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("baton_database_bytes ") }),
              let value = Double(line.split(separator: " ").last ?? "") else { throw BenchError("/metrics has no baton_database_bytes") }
        return Int64(value)
    }

    /// Stores `count` ended one-task workflows (a system task, so no worker is needed); returns the
    /// workflow name and the seconds it took.
    func fill(count: Int) throws -> (name: String, seconds: Double) {
        let name = "bench_fill_\(IDs.uuid().prefix(8))"
        _ = try must(try bench.connection(), ExecutionScenarios.request("POST", "/api/metadata/workflow?overwrite=true", body: #"""
            {"name":"\#(name)","version":1,"tasks":[{"name":"note","taskReferenceName":"note","type":"SET_VARIABLE","inputParameters":{"seen":"${workflow.input.n}"}}]}
            """#), "register \(name)")
        let seconds = try startMany(host: bench.host, port: bench.port, count: count) { n in
            ExecutionScenarios.request("POST", "/api/workflow/\(name)?correlationId=fill-\(n)", body: Self.input(n))
        }
        return (name, seconds)
    }
}
