import BatonSupport
import Foundation
import Synchronization

/// Workflow-level benchmarks: start rate, end-to-end throughput with batch-polling workers, synchronous
/// execute latency and dispatch latency. Each registers its own one-task workflow so scenarios do not
/// share queues.
struct ExecutionScenarios {
    let host: String
    let port: Int
    let seconds: Double
    /// Connections that keep starting workflows in the end-to-end scenario.
    var starters = 16

    func connection() throws -> BenchConnection { try BenchConnection(host: host, port: port) }

    static func request(_ method: String, _ path: String, body: String? = nil) -> [UInt8] {
        var s = "\(method) \(path) HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
        if let body { s += "Content-Length: \(body.utf8.count)\r\n\r\n\(body)" } else { s += "\r\n" }
        return Array(s.utf8)
    }

    /// Registers a task definition (no retries) and a one-task workflow; returns (workflow, task) names.
    func registerOneTaskWorkflow(_ label: String) throws -> (String, String) {
        let suffix = IDs.uuid().prefix(8)
        let task = "bench_\(label)_task_\(suffix)", wf = "bench_\(label)_wf_\(suffix)"
        let c = try connection()
        var (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/taskdefs",
            body: #"[{"name":"\#(task)","retryCount":0,"responseTimeoutSeconds":60}]"#))
        guard status == 200 else { throw BenchError("registering \(task) failed: \(status)") }
        (status, _) = try c.roundTrip(Self.request("POST", "/api/metadata/workflow?overwrite=true",
            body: #"{"name":"\#(wf)","version":1,"tasks":[{"name":"\#(task)","taskReferenceName":"only","inputParameters":{"n":"${workflow.input.n}","who":"${workflow.input.who}"}}],"outputParameters":{"r":"${only.output.r}"}}"#))
        guard status == 200 else { throw BenchError("registering \(wf) failed: \(status)") }
        return (wf, task)
    }

    static func startBody(_ wf: String, _ n: Int) -> String {
        #"{"name":"\#(wf)","version":1,"input":{"n":\#(n),"who":"bench","payload":"\#(String(repeating: "x", count: 600))"}}"#
    }

    /// Starts per second over `connections` keep-alive connections.
    func startRate(connections: Int) throws -> Double {
        let (wf, _) = try registerOneTaskWorkflow("start")
        let r = try runLoad(host: host, port: port, request: Self.request("POST", "/api/workflow", body: Self.startBody(wf, 1)),
                            connections: connections, seconds: seconds)
        guard r.errors == 0 else { throw BenchError("start: \(r.errors) errors") }
        return r.rate
    }

    /// Completed one-task workflows per second with `workers` batch-polling workers (each polls up to 32
    /// tasks, then completes them one by one) while `starters` connections keep starting workflows.
    func endToEnd(workers: Int) throws -> Double {
        let (wf, task) = try registerOneTaskWorkflow("e2e")
        let stop = Atomic<Bool>(false)
        let failure = Mutex<String?>(nil)
        let group = DispatchGroup()
        func spawn(_ body: @escaping @Sendable () throws -> Void) {
            group.enter()
            let t = Thread {
                defer { group.leave() }
                do { try body() } catch { failure.withLock { $0 = "\(error)" } }
            }
            t.stackSize = 1 << 20
            t.start()
        }
        // Keep the backlog bounded so the figure is throughput, not queue growth. Starters wait on a
        // semaphore the workers signal: polling a counter with short sleeps cost the machine tens of
        // thousands of wake-ups a second once the cap was reached.
        // (Created at 0 and raised: libdispatch traps on freeing a semaphore below its initial value.)
        let inFlight = DispatchSemaphore(value: 0)
        for _ in 0..<2000 { inFlight.signal() }
        for _ in 0..<starters {
            spawn {
                let c = try connection()
                let body = Self.request("POST", "/api/workflow", body: Self.startBody(wf, 1))
                while !stop.load(ordering: .relaxed) {
                    guard inFlight.wait(timeout: .now() + .milliseconds(50)) == .success else { continue }
                    let (s, _) = try c.roundTrip(body)
                    guard s == 200 else { throw BenchError("start answered \(s)") }
                }
            }
        }
        let measuring = Atomic<Bool>(false)
        let measured = Atomic<Int>(0)
        for w in 0..<workers {
            spawn {
                let c = try connection()
                let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=bench-\(w)&count=32&timeout=100")
                while !stop.load(ordering: .relaxed) {
                    let (s, body) = try c.roundTrip(poll)
                    guard s == 200 else { throw BenchError("poll answered \(s)") }
                    for (wfId, taskId) in try Self.taskIds(body) {
                        let update = #"{"workflowInstanceId":"\#(wfId)","taskId":"\#(taskId)","status":"COMPLETED","workerId":"bench-\#(w)","outputData":{"r":1}}"#
                        let (us, _) = try c.roundTrip(Self.request("POST", "/api/tasks", body: update))
                        guard us == 200 else { throw BenchError("update answered \(us)") }
                        inFlight.signal()
                        if measuring.load(ordering: .relaxed) { measured.add(1, ordering: .relaxed) }
                    }
                }
            }
        }
        usleep(500_000)   // warm-up
        measuring.store(true, ordering: .relaxed)
        let t0 = monotonicNanos()
        usleep(UInt32(seconds * 1_000_000))
        let n = measured.load(ordering: .relaxed)
        let elapsed = Double(monotonicNanos() - t0) / 1e9
        stop.store(true, ordering: .relaxed)
        group.wait()
        if let f = failure.withLock({ $0 }) { throw BenchError(f) }
        return Double(n) / elapsed
    }

    /// (workflowInstanceId, taskId) of each task in a poll answer. The bench's own tasks carry neither
    /// key in their input or output, so a scan finds exactly one of each per task; anything else gets
    /// a real parse. (A full parse of 32 tasks cost the load generator a third of its CPU.)
    static func taskIds(_ body: [UInt8]) throws -> [(String, String)] {
        let wfIds = values(of: #""workflowInstanceId":""#, in: body), taskIds = values(of: #""taskId":""#, in: body)
        if wfIds.count == taskIds.count { return Array(zip(wfIds, taskIds)) }
        guard case .array(let tasks) = try JSONParser.parse(body) else { return [] }
        return tasks.map { ($0["workflowInstanceId"]?.stringValue ?? "", $0["taskId"]?.stringValue ?? "") }
    }

    private static func values(of key: String, in body: [UInt8]) -> [String] {
        let k = Array(key.utf8)
        var out: [String] = []
        var i = 0
        while i + k.count <= body.count {
            if body[i] == k[0], body[i..<(i + k.count)].elementsEqual(k) {
                var j = i + k.count
                let start = j
                while j < body.count, body[j] != UInt8(ascii: "\"") { j += 1 }
                out.append(String(decoding: body[start..<j], as: UTF8.self))
                i = j
            } else {
                i += 1
            }
        }
        return out
    }

    /// Latencies (ns) of synchronous execute of a one-task workflow while a worker waits on the queue.
    func executeLatency(samples: Int) throws -> [UInt64] {
        let (wf, task) = try registerOneTaskWorkflow("exec")
        let stop = Atomic<Bool>(false)
        let worker = Thread {
            guard let c = try? connection() else { return }
            let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=bench&count=1&timeout=200")
            while !stop.load(ordering: .relaxed) {
                guard let (_, body) = try? c.roundTrip(poll), case .array(let tasks)? = try? JSONParser.parse(body) else { continue }
                for t in tasks {
                    let update = #"{"workflowInstanceId":"\#(t["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(t["taskId"]?.stringValue ?? "")","status":"COMPLETED","outputData":{"r":1}}"#
                    _ = try? c.roundTrip(Self.request("POST", "/api/tasks", body: update))
                }
            }
        }
        worker.start()
        defer { stop.store(true, ordering: .relaxed) }
        let c = try connection()
        let body = #"{"name":"\#(wf)","version":1,"input":{"n":1,"who":"bench"}}"#
        let req = Self.request("POST", "/api/workflow/execute/\(wf)/1?waitForSeconds=10", body: body)
        var out: [UInt64] = []
        for i in 0..<(samples + 20) {
            let t0 = monotonicNanos()
            let (s, resp) = try c.roundTrip(req)
            let t1 = monotonicNanos()
            guard s == 200, String(decoding: resp, as: UTF8.self).contains(#""status":"COMPLETED""#) else {
                throw BenchError("execute answered \(s): \(String(decoding: resp.prefix(200), as: UTF8.self))")
            }
            if i >= 20 { out.append(t1 - t0) }
        }
        return out
    }

    /// Dispatch latencies (ns) of a long-polling worker: from sending a start to the worker holding its
    /// task, and from the start's answer (the task is durably queued) to the worker holding it (0 when
    /// the worker had it first).
    func dispatchLatency(samples: Int) throws -> (fromSend: [UInt64], fromAck: [UInt64]) {
        let (wf, task) = try registerOneTaskWorkflow("dispatch")
        let received = SemaphoreLike()
        let worker = Thread {
            guard let c = try? connection() else { return }
            let poll = Self.request("GET", "/api/tasks/poll/batch/\(task)?workerid=bench&count=1&timeout=5000")
            for _ in 0..<(samples + 20) {
                while true {
                    guard let (_, body) = try? c.roundTrip(poll), case .array(let tasks)? = try? JSONParser.parse(body), let t = tasks.first else { continue }
                    received.signal(monotonicNanos())
                    let update = #"{"workflowInstanceId":"\#(t["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(t["taskId"]?.stringValue ?? "")","status":"COMPLETED"}"#
                    _ = try? c.roundTrip(Self.request("POST", "/api/tasks", body: update))
                    break
                }
            }
        }
        worker.start()
        usleep(100_000)
        let c = try connection()
        let req = Self.request("POST", "/api/workflow", body: Self.startBody(wf, 1))
        var fromSend: [UInt64] = [], fromAck: [UInt64] = []
        for i in 0..<(samples + 20) {
            usleep(2_000)   // let the worker get back into its long poll
            let t0 = monotonicNanos()
            let (s, _) = try c.roundTrip(req)
            let acked = monotonicNanos()
            guard s == 200 else { throw BenchError("start answered \(s)") }
            let t1 = received.wait()
            if i >= 20 {
                fromSend.append(t1 > t0 ? t1 - t0 : 0)
                fromAck.append(t1 > acked ? t1 - acked : 0)
            }
        }
        return (fromSend, fromAck)
    }

    /// Round trips (ns) of a one-task poll while tasks are queued: how long a polling worker waits for
    /// a task that is there.
    func pollLatency(samples: Int) throws -> [UInt64] {
        let (wf, task) = try registerOneTaskWorkflow("poll")
        let c = try connection()
        let start = Self.request("POST", "/api/workflow", body: Self.startBody(wf, 1))
        for _ in 0..<(samples + 20) {
            let (s, _) = try c.roundTrip(start)
            guard s == 200 else { throw BenchError("start answered \(s)") }
        }
        let poll = Self.request("GET", "/api/tasks/poll/\(task)?workerid=bench")
        var out: [UInt64] = [], held: [JSONValue] = []
        for i in 0..<(samples + 20) {
            let t0 = monotonicNanos()
            let (s, body) = try c.roundTrip(poll)
            let t1 = monotonicNanos()
            guard s == 200 else { throw BenchError("poll answered \(s) with tasks queued") }
            held.append(try JSONParser.parse(body))
            if i >= 20 { out.append(t1 - t0) }
        }
        for t in held {
            let update = #"{"workflowInstanceId":"\#(t["workflowInstanceId"]?.stringValue ?? "")","taskId":"\#(t["taskId"]?.stringValue ?? "")","status":"COMPLETED"}"#
            _ = try c.roundTrip(Self.request("POST", "/api/tasks", body: update))
        }
        return out
    }
}

/// A one-slot hand-off of a timestamp between two threads.
final class SemaphoreLike: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let value = Mutex<UInt64>(0)
    func signal(_ v: UInt64) { value.withLock { $0 = v }; semaphore.signal() }
    func wait() -> UInt64 { semaphore.wait(); return value.withLock { $0 } }
}

func percentileMillis(_ samples: [UInt64], _ p: Double) -> Double {
    guard !samples.isEmpty else { return 0 }
    let sorted = samples.sorted()
    return Double(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) / 1e6
}
