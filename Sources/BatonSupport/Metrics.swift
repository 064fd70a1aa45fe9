import Synchronization

/// A fixed set of counters that threads bump with one relaxed atomic add each: no lock on the hot
/// path. (`Atomic` cannot live in an array, so the counters sit in memory of their own.)
public final class AtomicCounters: @unchecked Sendable {
    public let count: Int
    private let slots: UnsafeMutablePointer<Atomic<Int>>

    public init(_ count: Int) {
        self.count = count
        slots = .allocate(capacity: count)
        for i in 0..<count { (slots + i).initialize(to: Atomic(0)) }
    }

    deinit {
        slots.deinitialize(count: count)
        slots.deallocate()
    }

    public func add(_ i: Int, _ n: Int = 1) { slots[i].add(n, ordering: .relaxed) }
    public func subtract(_ i: Int, _ n: Int = 1) { slots[i].subtract(n, ordering: .relaxed) }
    public func value(_ i: Int) -> Int { slots[i].load(ordering: .relaxed) }
}

/// A Prometheus histogram with fixed upper bounds: an observation is two atomic adds (its bucket
/// and the sum), cumulated only when read.
public final class Histogram: Sendable {
    public let bounds: [Double]
    /// Sums are kept in millionths of the unit, so they stay integers.
    private let buckets: AtomicCounters
    private let sumMicros = Atomic<Int>(0)

    public init(bounds: [Double]) {
        self.bounds = bounds
        buckets = AtomicCounters(bounds.count + 1)
    }

    public func observe(_ value: Double) {
        var i = 0
        while i < bounds.count && value > bounds[i] { i += 1 }
        buckets.add(i)
        sumMicros.add(Int(value * 1_000_000), ordering: .relaxed)
    }

    /// Cumulative counts per bound (the last one is +Inf), and the sum.
    public var snapshot: (cumulative: [Int], sum: Double) {
        var running = 0
        let cumulative = (0...bounds.count).map { i -> Int in
            running += buckets.value(i)
            return running
        }
        return (cumulative, Double(sumMicros.load(ordering: .relaxed)) / 1_000_000)
    }

    /// Seconds, from 100 µs to 10 s: request and commit latencies.
    public static func latency() -> Histogram {
        Histogram(bounds: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10])
    }
}

/// Prometheus text exposition format 0.0.4.
public struct PrometheusText {
    public private(set) var text = ""

    public init() {}

    /// Starts a metric family.
    public mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int) {
        sample(name, labels, Double(value))
    }

    /// A histogram's `_bucket`, `_sum` and `_count` samples.
    public mutating func histogram(_ name: String, _ labels: [(String, String)] = [], _ h: Histogram) {
        let (cumulative, sum) = h.snapshot
        for (i, bound) in h.bounds.enumerated() {
            sample(name + "_bucket", labels + [("le", Self.number(bound))], cumulative[i])
        }
        sample(name + "_bucket", labels + [("le", "+Inf")], cumulative[h.bounds.count])
        sample(name + "_sum", labels, sum)
        sample(name + "_count", labels, cumulative[h.bounds.count])
    }

    static func escaped(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }
}
