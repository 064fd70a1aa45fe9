import BatonSupport
import Foundation
import Synchronization

/// The scheduler under load: `count` schedules that all fire every second. Measures the fires made
/// per second, how late each fire runs after its due time (from the fire records), how long after
/// the due time a worker holds the task of a scheduled workflow (a sample of the schedules start a
/// one-task workflow a worker long-polls), and what the load costs the rest of the server: the
/// end-to-end rate with and without the schedules firing.
struct ScheduleFigures {
    var firesPerSecond: [Double] = []
    /// Fire record executionTime − scheduledTime, ms.
    var fireLateness: [Double] = []
    /// Wall time the worker got the task − the fire's due time, ms.
    var workerDelay: [Double] = []
    var endToEndWithout: [Double] = []
    var endToEndWith: [Double] = []
    var createSeconds = 0.0
}

extension ExecutionScenarios {
    func scheduleLoad(count: Int, sampled: Int, workers: Int, runs: Int) throws -> ScheduleFigures {
        var figures = ScheduleFigures()
        for _ in 0..<runs { figures.endToEndWithout.append(try endToEnd(workers: workers)) }

        let suffix = String(IDs.uuid().prefix(8))
        let instant = "bench_sched_instant_\(suffix)", observed = "bench_sched_observed_\(suffix)", task = "bench_sched_task_\(suffix)"
        let c = try connection()
        for (path, body) in [
            ("/api/metadata/taskdefs", #"[{"name":"\#(task)","retryCount":0,"responseTimeoutSeconds":60}]"#),
            ("/api/metadata/workflow?overwrite=true",
             #"{"name":"\#(instant)","version":1,"tasks":[{"name":"set","taskReferenceName":"set","type":"SET_VARIABLE","inputParameters":{"at":"${workflow.input._scheduledTime}"}}]}"#),
            ("/api/metadata/workflow?overwrite=true",
             #"{"name":"\#(observed)","version":1,"tasks":[{"name":"\#(task)","taskReferenceName":"only","inputParameters":{"due":"${workflow.input._scheduledTime}"}}]}"#),
        ] {
            let (s, b) = try c.roundTrip(Self.request("POST", path, body: body))
            guard s == 200 else { throw BenchError("\(path): \(s) \(String(decoding: b.prefix(200), as: UTF8.self))") }
        }

        // The observing worker: for each task, how long after its fire's due time it holds it.
        let measuring = Atomic<Bool>(false), stop = Atomic<Bool>(false)
        let delays = Mutex<[Double]>([])
        let worker = Thread {
            guard let conn = try? connection() else { return }
            let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=sched-bench&count=32&timeout=200")
            while !stop.load(ordering: .relaxed) {
                guard let (_, body) = try? conn.roundTrip(poll), case .array(let tasks)? = try? JSONParser.parse(body) else { continue }
                let now = Date().timeIntervalSince1970 * 1000
                for t in tasks {
                    if measuring.load(ordering: .relaxed), let due = t["inputData"]?["due"]?.int64Value {
                        delays.withLock { $0.append(now - Double(due)) }
                    }
                    let update = #"{"workflowInstanceId":"\#(t["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(t["taskId"]?.stringValue ?? "")","status":"COMPLETED"}"#
                    _ = try? conn.roundTrip(Self.request("POST", "/api/tasks", body: update))
                }
            }
        }
        worker.stackSize = 1 << 20
        worker.start()
        defer { stop.store(true, ordering: .relaxed) }

        let names = (0..<count).map { "bench_sched_\(suffix)_\($0)" }
        // Saved with the scheduler switched off, so the save figure is the saves' own.
        _ = try c.roundTrip(Self.request("GET", "/api/scheduler/admin/pause"))
        let t0 = monotonicNanos()
        try forEachConcurrently(names, connections: 8) { conn, i, name in
            let wf = i < sampled ? observed : instant
            let body = #"{"name":"\#(name)","cronExpression":"* * * * * *","startWorkflowRequest":{"name":"\#(wf)","version":1,"input":{"i":\#(i)}}}"#
            let (s, b) = try conn.roundTrip(Self.request("POST", "/api/scheduler/schedules", body: body))
            guard s == 200 else { throw BenchError("save schedule: \(s) \(String(decoding: b.prefix(200), as: UTF8.self))") }
        }
        figures.createSeconds = Double(monotonicNanos() - t0) / 1e9
        _ = try c.roundTrip(Self.request("GET", "/api/scheduler/admin/resume"))
        defer {
            _ = try? forEachConcurrently(names, connections: 8) { conn, _, name in
                _ = try conn.roundTrip(Self.request("DELETE", "/api/scheduler/schedules/\(name)"))
            }
        }

        usleep(2_000_000)   // warm-up: every schedule has fired at least once
        measuring.store(true, ordering: .relaxed)
        for _ in 0..<runs {
            let (n0, w0) = (try fireCount(c), Date().timeIntervalSince1970)
            usleep(UInt32(seconds * 1_000_000))
            let (n1, w1) = (try fireCount(c), Date().timeIntervalSince1970)
            figures.firesPerSecond.append(Double(n1 - n0) / (w1 - w0))
        }
        // Lateness of every fire due in one whole second inside the measured span.
        let second = (Int64(Date().timeIntervalSince1970) - 2) * 1000
        figures.fireLateness = try fireLateness(c, from: second, to: second + 1000)
        for _ in 0..<runs { figures.endToEndWith.append(try endToEnd(workers: workers)) }
        measuring.store(false, ordering: .relaxed)
        figures.workerDelay = delays.withLock { $0 }
        return figures
    }

    /// Fire records so far (the search's total).
    private func fireCount(_ c: BenchConnection) throws -> Int64 {
        let (s, body) = try c.roundTrip(Self.request("GET", "/api/scheduler/search/executions?size=0"))
        guard s == 200, let n = try JSONParser.parse(body)["totalHits"]?.int64Value else { throw BenchError("fire count: \(s)") }
        return n
    }

    /// executionTime − scheduledTime (ms) of every fire due in [from, to).
    private func fireLateness(_ c: BenchConnection, from: Int64, to: Int64) throws -> [Double] {
        var out: [Double] = []
        var start = 0
        while true {
            let query = "scheduledTime>\(from - 1)%20AND%20scheduledTime<\(to)"
            let (s, body) = try c.roundTrip(Self.request("GET", "/api/scheduler/search/executions?query=\(query)&sort=scheduledTime:ASC&start=\(start)&size=5000"))
            guard s == 200, case .array(let results)? = try JSONParser.parse(body)["results"] else { throw BenchError("fire search: \(s)") }
            for r in results {
                if let due = r["scheduledTime"]?.int64Value, let ran = r["executionTime"]?.int64Value { out.append(Double(ran - due)) }
            }
            if results.count < 5000 { return out }
            start += results.count
        }
    }

    /// Runs `body` for each item, spread over `connections` keep-alive connections.
    private func forEachConcurrently(_ items: [String], connections: Int,
                                     _ body: @escaping @Sendable (BenchConnection, Int, String) throws -> Void) throws {
        let next = Atomic<Int>(0)
        let failure = Mutex<String?>(nil)
        let group = DispatchGroup()
        for _ in 0..<connections {
            group.enter()
            let t = Thread {
                defer { group.leave() }
                do {
                    let conn = try connection()
                    while true {
                        let i = next.add(1, ordering: .relaxed).oldValue
                        guard i < items.count else { return }
                        try body(conn, i, items[i])
                    }
                } catch {
                    failure.withLock { $0 = "\(error)" }
                }
            }
            t.stackSize = 1 << 20
            t.start()
        }
        group.wait()
        if let f = failure.withLock({ $0 }) { throw BenchError(f) }
    }
}

func percentile(_ xs: [Double], _ p: Double) -> Double {
    guard !xs.isEmpty else { return 0 }
    let sorted = xs.sorted()
    return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
}
