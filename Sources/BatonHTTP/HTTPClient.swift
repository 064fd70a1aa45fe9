import BatonSupport
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A small blocking HTTP/1.1 client for `http://` URLs: one request per connection, Content-Length or
/// chunked responses, connect and read timeouts. `https://` is `CurlClient`'s.
public enum HTTPClient {
    public struct Response: Sendable {
        public var status: Int
        public var reason: String
        public var headers: [(String, String)]
        public var body: [UInt8]
    }

    public struct Failure: Error, CustomStringConvertible, Sendable {
        public var description: String
        public init(_ d: String) { description = d }
    }

    public static func send(method: String, url: String, headers: [(String, String)], body: [UInt8]?,
                            connectTimeoutMillis: Int, readTimeoutMillis: Int) throws(Failure) -> Response {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(), let host = parsed.host, !host.isEmpty else {
            throw Failure("invalid URI: \(url)")
        }
        guard scheme == "http" else { throw Failure("only http:// and https:// URIs are supported by Baton's HTTP task (got \(scheme)://)") }
        let port = parsed.port ?? 80
        var target = parsed.percentEncodedPath.isEmpty ? "/" : parsed.percentEncodedPath
        if let q = parsed.percentEncodedQuery { target += "?\(q)" }
        let fd = try connect(host: host, port: port, timeoutMillis: connectTimeoutMillis)
        defer { close(fd) }
        var head = "\(method) \(target) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\n"
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        var bytes = Array(head.utf8)
        if let body { bytes += body }
        var tv = timeval(tv_sec: readTimeoutMillis / 1000, tv_usec: (readTimeoutMillis % 1000) * 1000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard Socket.writeAll(fd, bytes) else { throw Failure("could not send the request to \(host):\(port)") }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while received.count < 64 * 1024 * 1024 {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { throw Failure("Read timed out after \(readTimeoutMillis) ms") }
                throw Failure("read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            received += chunk[0..<n]
        }
        return try parse(received)
    }

    private static func connect(host: String, port: Int, timeoutMillis: Int) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Socket.streamType
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { throw Failure("unknown host \(host)") }
        defer { freeaddrinfo(result) }
        var ai: UnsafeMutablePointer<addrinfo>? = first
        var lastError = "connection refused"
        while let a = ai {
            ai = a.pointee.ai_next
            let fd = socket(a.pointee.ai_family, Socket.streamType, 0)
            guard fd >= 0 else { continue }
            Socket.setCloseOnExec(fd)
            let flags = fcntl(fd, F_GETFL)
            _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK)
            let rc = Glibc_connect(fd, a.pointee.ai_addr, a.pointee.ai_addrlen)
            if rc == 0 || errno == EINPROGRESS {
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&p, 1, Int32(timeoutMillis)) == 1 {
                    var err: Int32 = 0
                    var len = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
                    if err == 0 {
                        _ = fcntl(fd, F_SETFL, flags)
                        return fd
                    }
                    lastError = String(cString: strerror(err))
                } else {
                    lastError = "connect timed out after \(timeoutMillis) ms"
                }
            } else {
                lastError = String(cString: strerror(errno))
            }
            close(fd)
        }
        throw Failure("cannot connect to \(host):\(port): \(lastError)")
    }

    static func parse(_ bytes: [UInt8]) throws(Failure) -> Response {
        guard let end = (0..<max(0, bytes.count - 3)).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 })
        else { throw Failure("malformed HTTP response") }
        let lines = String(decoding: bytes[0..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { throw Failure("malformed status line: \(lines[0])") }
        var headers: [(String, String)] = []
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var body = Array(bytes[(end + 4)...])
        if headers.contains(where: { $0.0.lowercased() == "transfer-encoding" && $0.1.lowercased().contains("chunked") }) {
            body = try dechunk(body)
        } else if let length = headers.first(where: { $0.0.lowercased() == "content-length" }).flatMap({ Int($0.1) }), length < body.count {
            body = Array(body[0..<length])
        }
        return Response(status: status, reason: statusParts.count > 2 ? String(statusParts[2]) : "", headers: headers, body: body)
    }

    /// A chunked response body, decoded as the server decodes request bodies; a body cut short keeps
    /// what arrived.
    private static func dechunk(_ data: [UInt8]) throws(Failure) -> [UInt8] {
        var decoder = ChunkedDecoder(maxBodyBytes: .max, maxTrailerBytes: 64 * 1024)
        var position = 0
        var body: [UInt8] = []
        do {
            _ = try decoder.decode(data, position: &position, into: &body)
        } catch {
            throw Failure("malformed chunked response body: \(error)")
        }
        return body
    }
}

#if canImport(Glibc)
private func Glibc_connect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>?, _ len: socklen_t) -> Int32 { Glibc.connect(fd, addr, len) }
#else
private func Glibc_connect(_ fd: Int32, _ addr: UnsafePointer<sockaddr>?, _ len: socklen_t) -> Int32 { Darwin.connect(fd, addr, len) }
#endif
