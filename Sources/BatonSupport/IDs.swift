import Foundation
import Synchronization

/// Identifiers for workflows and tasks: UUID strings, lower-case like Java's `UUID.toString()`.
///
/// They are version 7 UUIDs (RFC 9562): the first 48 bits are the Unix time in milliseconds, then a
/// counter, then random bits. Clients treat ids as opaque strings, so any UUID does; time order is
/// what SQLite's indexes want — a new row's key lands on the last page of the primary-key index
/// instead of a random one, so a commit of many new executions touches a few pages, not hundreds.
public enum IDs {
    /// (last millisecond used, counter within it)
    private static let last = Mutex<(millis: UInt64, counter: UInt16)>((0, 0))

    public static func uuid() -> String {
        let wall = UInt64(max(0, Date().timeIntervalSince1970 * 1000))
        // Strictly increasing within the process: same millisecond -> next counter; a clock step back
        // or 4096 ids in one millisecond borrow the next millisecond.
        let (millis, counter) = last.withLock { s -> (UInt64, UInt16) in
            if wall > s.millis {
                s = (wall, UInt16.random(in: 0..<1024))
            } else if s.counter < 0xFFF {
                s.counter += 1
            } else {
                s = (s.millis + 1, 0)
            }
            return (s.millis, s.counter)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<6 { bytes[i] = UInt8(truncatingIfNeeded: millis >> (40 - 8 * UInt64(i))) }
        bytes[6] = 0x70 | UInt8(counter >> 8)
        bytes[7] = UInt8(truncatingIfNeeded: counter)
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        for i in 8..<16 { bytes[i] = UInt8(truncatingIfNeeded: tail >> (8 * UInt64(i - 8))) }
        bytes[8] = 0x80 | (bytes[8] & 0x3F)
        return format(bytes)
    }

    private static let hex = Array("0123456789abcdef".utf8)

    private static func format(_ b: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(36)
        for (i, byte) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// Where new workflow and task ids come from (the engine's, so tests and reproducible runs can pick).
public protocol IDSource: Sendable {
    func next() -> String
    /// Starts the sequence over (a reset that removed every execution; only sequential ids care).
    func restart()
}

/// The server's ids: time-ordered UUIDs (`IDs.uuid()`).
public struct TimeOrderedIDs: IDSource {
    public init() {}
    public func next() -> String { IDs.uuid() }
    public func restart() {}
}

/// Where random numbers come from (retry jitter), so tests and reproducible runs can pick.
public protocol RandomSource: Sendable {
    /// A number in the range, both ends included.
    func next(in range: ClosedRange<Int64>) -> Int64
    /// Starts the sequence over (a reset; only seeded sources care).
    func restart()
}

/// The system's random numbers.
public struct SystemRandom: RandomSource {
    public init() {}
    public func next(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range) }
    public func restart() {}
}

/// Ids that are the same on every run (`--ids sequential`), for snapshot tests: a counter shaped as a
/// UUID, `00000000-0000-4000-8000-000000000001` and on. Workflows and tasks share the counter, so
/// the n-th id handed out is always the same; `restart` (a reset) begins again at 1. Zero-padded
/// hex keeps them in creation order as text, like the time-ordered ids.
public final class SequentialIDs: IDSource {
    private let counter: Atomic<UInt64>

    /// `after`: the largest number already used (a database that holds sequential ids continues).
    public init(after: UInt64 = 0) { counter = Atomic(after) }

    public func next() -> String { Self.id(counter.add(1, ordering: .relaxed).newValue) }
    public func restart() { counter.store(0, ordering: .relaxed) }

    public static func id(_ n: UInt64) -> String {
        let hex = String(n, radix: 16)
        let digits = String(repeating: "0", count: max(0, 12 - hex.count)) + hex
        return "00000000-0000-4000-8000-" + digits
    }

    /// The number inside an id this type made, nil for any other id.
    public static func number(of id: String) -> UInt64? {
        guard id.count == 36, id.hasPrefix("00000000-0000-4000-8000-") else { return nil }
        return UInt64(id.suffix(12), radix: 16)
    }
}

/// Reproducible random numbers (SplitMix64 from a seed): retry jitter comes out the same on every run
/// next to sequential ids.
public final class SeededRandom: RandomSource {
    private let seed: UInt64
    private let state: Mutex<UInt64>

    public init(seed: UInt64) {
        self.seed = seed
        state = Mutex(seed)
    }

    public func next(in range: ClosedRange<Int64>) -> Int64 {
        let x = state.withLock { s -> UInt64 in
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        let width = UInt64(bitPattern: range.upperBound &- range.lowerBound) &+ 1
        return width == 0 ? Int64(bitPattern: x) : range.lowerBound &+ Int64(bitPattern: x % width)
    }

    public func restart() { state.withLock { $0 = seed } }
}
