import BatonSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many connections held at once: idle keep-alive clients and parked long polls, with the server's
/// threads and memory read from its `/metrics`, and how fast a new client is answered meanwhile.
struct ConnectionScaleScenario {
    var host: String
    var port: Int

    static let pollMillis = 3000

    struct Figures {
        var idle: Int
        var polling: Int
        var threads: Double
        var residentMB: Double
        var newClientMillis: [Double]
    }

    func run(idle: Int, polling: Int) throws -> Figures {
        var held: [Int32] = []
        defer {
            held.forEach { close($0) }
            // A parked poll is answered (and its connection let go) when its timeout passes, even
            // though the client left: the next run starts after that.
            usleep(UInt32(Self.pollMillis + 500) * 1000)
        }
        // Each idle connection is served once first, so it is a kept-alive connection, not a backlog entry.
        for _ in 0..<idle {
            let fd = try connectSocket()
            held.append(fd)
            try send(fd, BatonBench.get("/health"))
            guard try readStatus(fd) == 200 else { throw BenchError("an idle connection's /health failed") }
        }
        let queue = "bench_idle_\(IDs.uuid().prefix(8))"
        for _ in 0..<polling {
            let fd = try connectSocket()
            held.append(fd)
            try send(fd, BatonBench.get("/api/tasks/poll/batch/\(queue)?timeout=\(Self.pollMillis)&count=1&workerid=bench"))
        }
        usleep(500_000)   // every poll reached the server and parked
        var latencies: [Double] = []
        for _ in 0..<20 {
            let t0 = monotonicNanos()
            let fd = try connectSocket()
            try send(fd, BatonBench.get("/health"))
            let status = try readStatus(fd)
            close(fd)
            guard status == 200 else { throw BenchError("a new client got \(status)") }
            latencies.append(Double(monotonicNanos() - t0) / 1e6)
        }
        let metrics = try fetchMetrics()
        return Figures(idle: idle, polling: polling, threads: metrics["process_threads"] ?? -1,
                       residentMB: (metrics["process_resident_memory_bytes"] ?? -1) / 1_048_576, newClientMillis: latencies)
    }

    private func fetchMetrics() throws -> [String: Double] {
        let conn = try BenchConnection(host: host, port: port)
        let (status, body) = try conn.roundTrip(BatonBench.get("/metrics"))
        guard status == 200 else { throw BenchError("/metrics answered \(status)") }
        var out: [String: Double] = [:]
        for line in String(decoding: body, as: UTF8.self).split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ")
            if parts.count == 2, let v = Double(parts[1]) { out[String(parts[0])] = v }
        }
        return out
    }

    private func connectSocket() throws -> Int32 {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { throw BenchError("bad IPv4 address \(host)") }
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw BenchError("socket failed: \(String(cString: strerror(errno)))") }
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0 else { close(fd); throw BenchError("connect failed: \(String(cString: strerror(errno)))") }
        var tv = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        return fd
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) throws {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n == bytes.count else { throw BenchError("write failed") }
    }

    /// Reads one small response whole (head and a body of at most a few hundred bytes).
    private func readStatus(_ fd: Int32) throws -> Int {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var have = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + have, $0.count - have) }
            guard n > 0 else { throw BenchError("connection closed by server") }
            have += n
            let text = String(decoding: buffer[0..<have], as: UTF8.self)
            guard let headEnd = text.range(of: "\r\n\r\n") else { continue }
            let head = text[..<headEnd.lowerBound]
            let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if text.utf8.distance(from: text.utf8.startIndex, to: headEnd.upperBound) + length <= have {
                return Int(head.split(separator: " ")[1]) ?? 0
            }
        }
    }
}
