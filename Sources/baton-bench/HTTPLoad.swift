import BatonSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A minimal keep-alive HTTP/1.1 client on a blocking socket: enough to time request/response pairs.
final class BenchConnection {
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)

    init(host: String, port: Int) throws {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw BenchError("bad IPv4 address \(host)") }
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw BenchError("socket failed") }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw BenchError("connect to \(host):\(port) failed: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// Sends one request and reads one response; returns the status and body. Kept light (no
    /// Foundation string work, one reusable read buffer): the load generator shares the machine.
    func roundTrip(_ request: [UInt8]) throws -> (status: Int, body: [UInt8]) {
        var offset = 0
        while offset < request.count {
            let n = request.withUnsafeBytes { write(fd, $0.baseAddress! + offset, request.count - offset) }
            guard n > 0 else { throw BenchError("write failed") }
            offset += n
        }
        var scanned = 0
        while true {
            if let end = headEnd(from: scanned) {
                let (status, length) = parseHead(buffer[0..<end])
                let total = end + 4 + length
                while buffer.count < total { try fill() }
                let body = Array(buffer[(end + 4)..<total])
                buffer.removeFirst(total)
                return (status, body)
            }
            scanned = max(0, buffer.count - 3)
            try fill()
        }
    }

    /// The status code and Content-Length of a response head.
    private func parseHead(_ head: ArraySlice<UInt8>) -> (status: Int, length: Int) {
        var status = 0
        var i = head.startIndex
        while i < head.endIndex, head[i] != 32 { i += 1 }   // "HTTP/1.1 "
        i += 1
        while i < head.endIndex, head[i] >= 48, head[i] <= 57 { status = status * 10 + Int(head[i] - 48); i += 1 }
        let name = Array("content-length:".utf8)
        var length = 0
        var lineStart = i
        while lineStart < head.endIndex {
            var lineEnd = lineStart
            while lineEnd < head.endIndex, head[lineEnd] != 13 { lineEnd += 1 }
            if lineEnd - lineStart > name.count,
               zip(head[lineStart..<(lineStart + name.count)], name).allSatisfy({ ($0 | 0x20) == $1 }) {
                var j = lineStart + name.count
                while j < lineEnd, head[j] == 32 { j += 1 }
                while j < lineEnd, head[j] >= 48, head[j] <= 57 { length = length * 10 + Int(head[j] - 48); j += 1 }
            }
            lineStart = lineEnd + 2
        }
        return (status, length)
    }

    private func headEnd(from start: Int) -> Int? {
        guard buffer.count >= 4 else { return nil }
        var i = start
        while i <= buffer.count - 4 {
            if buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private func fill() throws {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { throw BenchError("connection closed by server") }
        buffer.append(contentsOf: chunk[0..<n])
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Latency samples in nanoseconds and a few summary figures.
struct LoadResult {
    var requests: Int
    var errors: Int
    var seconds: Double
    var latencies: [UInt64]

    var rate: Double { Double(requests) / seconds }
    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        let index = min(sorted.count - 1, Int(Double(sorted.count) * p))
        return Double(sorted[index]) / 1e6
    }
}

/// Runs `connections` threads, each sending `request` back to back on its own keep-alive connection,
/// for `seconds` after a short warm-up.
func runLoad(host: String, port: Int, request: [UInt8], connections: Int, seconds: Double, expectStatus: Int = 200) throws -> LoadResult {
    let warmup = 0.3
    let start = monotonicNanos()
    let measureFrom = start + UInt64(warmup * 1e9)
    let stopAt = measureFrom + UInt64(seconds * 1e9)
    let results = Mutex<[(Int, Int, [UInt64])]>([])
    let failure = Mutex<String?>(nil)
    var threads: [Thread] = []
    let done = DispatchGroup()
    for _ in 0..<connections {
        done.enter()
        let t = Thread {
            defer { done.leave() }
            do {
                let conn = try BenchConnection(host: host, port: port)
                var count = 0, errors = 0
                var samples: [UInt64] = []
                samples.reserveCapacity(100_000)
                while true {
                    let t0 = monotonicNanos()
                    if t0 >= stopAt { break }
                    let (status, _) = try conn.roundTrip(request)
                    let t1 = monotonicNanos()
                    if t0 >= measureFrom {
                        count += 1
                        if status != expectStatus { errors += 1 }
                        samples.append(t1 - t0)
                    }
                }
                results.withLock { $0.append((count, errors, samples)) }
            } catch {
                failure.withLock { $0 = "\(error)" }
            }
        }
        t.stackSize = 1 << 20
        threads.append(t)
        t.start()
    }
    done.wait()
    if let f = failure.withLock({ $0 }) { throw BenchError(f) }
    let all = results.withLock { $0 }
    return LoadResult(requests: all.reduce(0) { $0 + $1.0 }, errors: all.reduce(0) { $0 + $1.1 }, seconds: seconds,
                      latencies: all.flatMap(\.2))
}
