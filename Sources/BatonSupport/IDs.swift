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
}

/// The server's ids: time-ordered UUIDs (`IDs.uuid()`).
public struct TimeOrderedIDs: IDSource {
    public init() {}
    public func next() -> String { IDs.uuid() }
}

/// Where random numbers come from (retry jitter), so tests and reproducible runs can pick.
public protocol RandomSource: Sendable {
    /// A number in the range, both ends included.
    func next(in range: ClosedRange<Int64>) -> Int64
}

/// The system's random numbers.
public struct SystemRandom: RandomSource {
    public init() {}
    public func next(in range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range) }
}
