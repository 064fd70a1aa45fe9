import BatonSupport
import Foundation
import Synchronization

/// Starts `count` workflows over `connections` keep-alive connections as fast as the server takes
/// them; `request(n)` is the n-th start. Returns the seconds it took. What the scenarios that need a
/// large store fill it with.
func startMany(host: String, port: Int, count: Int, connections: Int = 16, request: @escaping @Sendable (Int) -> [UInt8]) throws -> Double {
    let started = monotonicNanos()
    let next = Atomic<Int>(0)
    let failure = Mutex<String?>(nil)
    let group = DispatchGroup()
    for _ in 0..<connections {
        group.enter()
        Thread {
            defer { group.leave() }
            do {
                let conn = try BenchConnection(host: host, port: port)
                while true {
                    let n = next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if n >= count || failure.withLock({ $0 != nil }) { return }
                    let (status, body) = try conn.roundTrip(request(n))
                    guard status == 200 else { throw BenchError("start: HTTP \(status) \(String(decoding: body.prefix(200), as: UTF8.self))") }
                }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }.start()
    }
    group.wait()
    if let f = failure.withLock({ $0 }) { throw BenchError("prefill: \(f)") }
    return Double(monotonicNanos() - started) / 1e9
}
