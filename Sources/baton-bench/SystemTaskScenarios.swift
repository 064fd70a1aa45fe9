import BatonSupport
import Foundation
import Synchronization

/// Control-flow benchmarks: a FORK_JOIN fan-out of 100 SIMPLE tasks, a 10-task linear workflow
/// with the gap between completing one task and holding the next, and a JSON_JQ_TRANSFORM run by
/// synchronous execute.
extension ExecutionScenarios {
    /// Workflow latencies (ns) of `count` fan-out workflows run one after another by synchronous execute,
    /// with `workers` batch-polling workers; and tasks completed per second over the run.
    func fanOut(branches: Int, workers: Int, count: Int) throws -> (latencies: [UInt64], tasksPerSecond: Double) {
        let suffix = IDs.uuid().prefix(8)
        let task = "bench_fan_task_\(suffix)", wf = "bench_fan_wf_\(suffix)"
        let c = try connection()
        var (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/taskdefs", body: #"[{"name":"\#(task)","retryCount":0}]"#))
        guard status == 200 else { throw BenchError("taskdef: \(status)") }
        let forks = (0..<branches).map { #"[{"name":"\#(task)","taskReferenceName":"t\#($0)","inputParameters":{"i":\#($0)}}]"# }.joined(separator: ",")
        let joinOn = (0..<branches).map { #""t\#($0)""# }.joined(separator: ",")
        let def = #"{"name":"\#(wf)","version":1,"tasks":[{"name":"fork","taskReferenceName":"fork","type":"FORK_JOIN","forkTasks":[\#(forks)]},{"name":"join","taskReferenceName":"join","type":"JOIN","joinOn":[\#(joinOn)]}]}"#
        (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/workflow?overwrite=true", body: def))
        guard status == 200 else { throw BenchError("workflow def: \(status)") }
        let stop = Atomic<Bool>(false)
        let completed = Atomic<Int>(0)
        var threads: [Thread] = []
        for w in 0..<workers {
            let t = Thread {
                guard let conn = try? connection() else { return }
                let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=fan-\(w)&count=50&timeout=200")
                while !stop.load(ordering: .relaxed) {
                    guard let (_, body) = try? conn.roundTrip(poll), case .array(let tasks)? = try? JSONParser.parse(body) else { continue }
                    for t in tasks {
                        let update = #"{"workflowInstanceId":"\#(t["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(t["taskId"]?.stringValue ?? "")","status":"COMPLETED","outputData":{"ok":true}}"#
                        if (try? conn.roundTrip(Self.request("POST", "/api/tasks", body: update)))?.status == 200 { completed.add(1, ordering: .relaxed) }
                    }
                }
            }
            t.stackSize = 1 << 20
            threads.append(t)
            t.start()
        }
        defer { stop.store(true, ordering: .relaxed) }
        var latencies: [UInt64] = []
        let start = monotonicNanos()
        let before = completed.load(ordering: .relaxed)
        for _ in 0..<count {
            let t0 = monotonicNanos()
            let (s, body) = try c.roundTrip(Self.request("POST", "/api/workflow/execute/\(wf)/1?waitForSeconds=60", body: #"{"name":"\#(wf)","version":1,"input":{}}"#))
            guard s == 200, String(decoding: body, as: UTF8.self).contains(#""status":"COMPLETED""#) else {
                throw BenchError("fan-out execute answered \(s): \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
            latencies.append(monotonicNanos() - t0)
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        return (latencies, Double(completed.load(ordering: .relaxed) - before) / seconds)
    }

    /// A 10-task linear workflow worked by one update-v2 worker: per-workflow latency (ns), and the gap
    /// between sending task N's completion and holding task N+1 (ns).
    func linear(tasks n: Int, count: Int) throws -> (latencies: [UInt64], gaps: [UInt64]) {
        let suffix = IDs.uuid().prefix(8)
        let task = "bench_lin_task_\(suffix)", wf = "bench_lin_wf_\(suffix)"
        let c = try connection()
        var (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/taskdefs", body: #"[{"name":"\#(task)","retryCount":0}]"#))
        guard status == 200 else { throw BenchError("taskdef: \(status)") }
        let nodes = (0..<n).map { #"{"name":"\#(task)","taskReferenceName":"s\#($0)","inputParameters":{"prev":"${s\#(max(0, $0 - 1)).output.v}"}}"# }.joined(separator: ",")
        (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/workflow?overwrite=true", body: #"{"name":"\#(wf)","version":1,"tasks":[\#(nodes)]}"#))
        guard status == 200 else { throw BenchError("workflow def: \(status)") }
        let worker = try connection()
        let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=lin&count=1&timeout=2000")
        var latencies: [UInt64] = [], gaps: [UInt64] = []
        for _ in 0..<count {
            let t0 = monotonicNanos()
            let (s, _) = try c.roundTrip(Self.request("POST", "/api/workflow", body: #"{"name":"\#(wf)","version":1,"input":{}}"#))
            guard s == 200 else { throw BenchError("start: \(s)") }
            let (_, first) = try worker.roundTrip(poll)
            guard case .array(let list) = try JSONParser.parse(first), var current = list.first else { throw BenchError("no first task") }
            for step in 0..<n {
                let update = #"{"workflowInstanceId":"\#(current["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(current["taskId"]?.stringValue ?? "")","status":"COMPLETED","workerId":"lin","outputData":{"v":\#(step)}}"#
                let sent = monotonicNanos()
                let (us, next) = try worker.roundTrip(Self.request("POST", "/api/tasks/update-v2", body: update))
                if step == n - 1 { break }
                guard us == 200, case .object = try JSONParser.parse(next) else { throw BenchError("update-v2 returned \(us) without the next task") }
                gaps.append(monotonicNanos() - sent)
                current = try JSONParser.parse(next)
            }
            latencies.append(monotonicNanos() - t0)
        }
        return (latencies, gaps)
    }

    /// Latencies (ns) of `samples` synchronous executes, one after another, of a workflow whose only task is a
    /// JSON_JQ_TRANSFORM with the kind of defaulting query Conductor users write (OSS's test harness has it).
    func jqTransform(samples: Int) throws -> [UInt64] {
        let wf = "bench_jq_wf_\(IDs.uuid().prefix(8))"
        let query = #"{ method: (.input.method // \"GET\"), document: (.input.document // \"results\"), ids: [.input.items[] | .id], total: ([.input.items[].n] | add) }"#
        let def = #"{"name":"\#(wf)","version":1,"tasks":[{"name":"jq","taskReferenceName":"jq","type":"JSON_JQ_TRANSFORM","inputParameters":{"input":"${workflow.input}","queryExpression":"\#(query)"}}],"outputParameters":{"r":"${jq.output.result}"}}"#
        let c = try connection()
        let (status, text) = try c.roundTrip(Self.request("POST", "/api/metadata/workflow?overwrite=true", body: def))
        guard status == 200 else { throw BenchError("workflow def: \(status) \(String(decoding: text, as: UTF8.self))") }
        let input = #"{"name":"\#(wf)","version":1,"input":{"document":"d","items":[{"id":"a","n":1},{"id":"b","n":2},{"id":"c","n":3}]}}"#
        let execute = Self.request("POST", "/api/workflow/execute/\(wf)/1?waitForSeconds=10", body: input)
        var latencies: [UInt64] = []
        for _ in 0..<samples {
            let t0 = monotonicNanos()
            let (s, body) = try c.roundTrip(execute)
            guard s == 200, String(decoding: body, as: UTF8.self).contains(#""total":6"#) else {
                throw BenchError("jq execute answered \(s): \(String(decoding: body.prefix(300), as: UTF8.self))")
            }
            latencies.append(monotonicNanos() - t0)
        }
        return latencies
    }
}
