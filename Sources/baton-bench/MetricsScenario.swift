import BatonSupport
import Foundation
import Synchronization

extension ExecutionScenarios {
    /// End-to-end rates without and with a scraper reading `/metrics` every 100 ms, alternating run by
    /// run so drift on a noisy machine falls on both; and the scrape's own round trip (ms).
    func metricsCost(workers: Int, runs: Int) throws -> (without: [Double], with: [Double], scrapeMillis: [Double]) {
        var without: [Double] = [], with: [Double] = [], scrapes: [Double] = []
        for _ in 0..<runs {
            without.append(try endToEnd(workers: workers))
            let stop = Atomic<Bool>(false)
            let times = Mutex<[Double]>([])
            let scraper = Thread {
                guard let c = try? connection() else { return }
                let request = Self.request("GET", "/metrics")
                while !stop.load(ordering: .relaxed) {
                    let t0 = monotonicNanos()
                    guard let (s, _) = try? c.roundTrip(request), s == 200 else { return }
                    let elapsed = Double(monotonicNanos() - t0) / 1e6
                    times.withLock { $0.append(elapsed) }
                    usleep(UInt32(max(0, 100 - elapsed) * 1000))
                }
            }
            scraper.start()
            with.append(try endToEnd(workers: workers))
            stop.store(true, ordering: .relaxed)
            scrapes += times.withLock { $0 }
        }
        return (without, with, scrapes)
    }
}
