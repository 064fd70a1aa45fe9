/// Why a request could not be read; each maps to the status the server answers before closing.
public enum HTTPParseError: Error, Equatable, Sendable {
    case badRequest(String)
    case headTooLarge
    case bodyTooLarge
    case notImplemented(String)
    case versionNotSupported
    case expectationFailed

    public var status: Int {
        switch self {
        case .badRequest: 400
        case .headTooLarge: 431
        case .bodyTooLarge: 413
        case .notImplemented: 501
        case .versionNotSupported: 505
        case .expectationFailed: 417
        }
    }

    public var message: String {
        switch self {
        case .badRequest(let m): m
        case .headTooLarge: "request head larger than the limit"
        case .bodyTooLarge: "request body larger than the limit"
        case .notImplemented(let m): m
        case .versionNotSupported: "only HTTP/1.0 and HTTP/1.1 are supported"
        case .expectationFailed: "only 'Expect: 100-continue' is supported"
        }
    }
}

/// The request line and headers of a request whose body may still be arriving.
public struct HTTPRequestHead: Sendable {
    public var method: String
    public var target: String
    public var minorVersion: Int
    public var headers: HTTPHeaders
    /// The client sent `Expect: 100-continue` and waits for a go-ahead before the body.
    public var expectsContinue: Bool
}

/// An incremental HTTP/1.1 request parser: feed bytes as they arrive, take complete requests out.
/// Leftover bytes (pipelined requests) stay buffered for the next call.
public struct HTTPRequestParser {
    public enum Result {
        case needMoreData
        case request(HTTPRequest)
    }

    public let maxHeadBytes: Int
    public let maxBodyBytes: Int

    private var buffer: [UInt8] = []
    private var position = 0
    private enum State {
        case head
        case fixedBody(head: HTTPRequestHead, remaining: Int)
        case chunked(head: HTTPRequestHead, ChunkedDecoder)
        case failed(HTTPParseError)
    }
    private var state: State = .head
    private var body: [UInt8] = []

    public init(maxHeadBytes: Int = 16 * 1024, maxBodyBytes: Int = 10 * 1024 * 1024) {
        self.maxHeadBytes = maxHeadBytes
        self.maxBodyBytes = maxBodyBytes
    }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// Bytes received and not yet consumed by a complete request.
    public var hasBufferedBytes: Bool { position < buffer.count || !isAtRequestStart }

    /// True between requests: nothing of the next request has been consumed.
    public var isAtRequestStart: Bool { if case .head = state { true } else { false } }

    /// The head of the request whose body is being read, if any.
    public var pendingHead: HTTPRequestHead? {
        switch state {
        case .fixedBody(let h, _), .chunked(let h, _): h
        case .head, .failed: nil
        }
    }

    private mutating func compact() {
        if position > 0 && (position == buffer.count || position > 64 * 1024) {
            buffer.removeFirst(position)
            position = 0
        }
    }

    /// Advances as far as the buffered bytes allow. A thrown error is final: answer it and close.
    public mutating func next() throws(HTTPParseError) -> Result {
        while true {
            switch state {
            case .failed(let e):
                throw e
            case .head:
                guard let head = try parseHead() else { return .needMoreData }
                if let r = try startBody(head) { return r }
            case .fixedBody(let head, let remaining):
                let n = min(remaining, buffer.count - position)
                if n > 0 {
                    body.append(contentsOf: buffer[position..<position + n])
                    position += n
                }
                if remaining - n == 0 { return .request(try finish(head)) }
                state = .fixedBody(head: head, remaining: remaining - n)
                return .needMoreData
            case .chunked(let head, var decoder):
                let done: Bool
                do {
                    done = try decoder.decode(buffer, position: &position, into: &body)
                } catch {
                    throw fail(error)
                }
                if done { return .request(try finish(head)) }
                state = .chunked(head: head, decoder)
                return .needMoreData
            }
        }
    }

    private mutating func fail(_ e: HTTPParseError) -> HTTPParseError {
        state = .failed(e)
        return e
    }

    private mutating func parseHead() throws(HTTPParseError) -> HTTPRequestHead? {
        // Tolerate empty lines before a request line (RFC 9112 2.2).
        while buffer.count - position >= 2 && buffer[position] == 0x0D && buffer[position + 1] == 0x0A { position += 2 }
        // Find the blank line that ends the head.
        var end = -1
        var i = position
        let limit = min(buffer.count, position + maxHeadBytes + 4)
        while i + 3 < limit {
            if buffer[i + 3] == 0x0A && buffer[i + 2] == 0x0D && buffer[i + 1] == 0x0A && buffer[i] == 0x0D {
                end = i
                break
            }
            i += 1
        }
        if end < 0 {
            if buffer.count - position > maxHeadBytes { throw fail(.headTooLarge) }
            return nil
        }
        if end - position > maxHeadBytes { throw fail(.headTooLarge) }
        let headBytes = buffer[position..<end]
        position = end + 4
        do {
            return try Self.parseHeadLines(headBytes)
        } catch {
            throw fail(error)
        }
    }

    private static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(c)
        }
    }

    static func parseHeadLines(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPRequestHead {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var i = bytes.startIndex
        while i < bytes.endIndex {
            if bytes[i] == 0x0A {
                guard i > start, bytes[i - 1] == 0x0D else { throw .badRequest("bare LF in request head") }
                lines.append(bytes[start..<(i - 1)])
                start = i + 1
            } else if bytes[i] == 0x0D, i + 1 < bytes.endIndex, bytes[i + 1] != 0x0A {
                throw .badRequest("bare CR in request head")
            } else if bytes[i] == 0 {
                throw .badRequest("NUL in request head")
            }
            i += 1
        }
        lines.append(bytes[start..<bytes.endIndex])

        // Request line: method SP target SP version.
        let parts = lines[0].split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenChar), !parts[1].isEmpty else {
            throw .badRequest("malformed request line")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        guard parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { throw .badRequest("invalid request target") }
        var target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        let minor: Int
        switch version {
        case "HTTP/1.1": minor = 1
        case "HTTP/1.0": minor = 0
        default:
            if version.hasPrefix("HTTP/"), version.count == 8 { throw .versionNotSupported }
            throw .badRequest("malformed HTTP version")
        }
        // Absolute form (proxies send it): keep only the path and query.
        if !target.hasPrefix("/") {
            if let schemeEnd = target.range(of: "://") {
                let rest = target[schemeEnd.upperBound...]
                target = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
            } else {
                throw .badRequest("invalid request target")
            }
        }

        var headers = HTTPHeaders()
        for line in lines.dropFirst() {
            guard let first = line.first else { throw .badRequest("empty header line") }
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .badRequest("obsolete header folding") }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { throw .badRequest("header without ':'") }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(isTokenChar) else { throw .badRequest("invalid header name") }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw .badRequest("invalid character in header value")
            }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self).trimmingASCIIWhitespace())
        }
        if minor == 1 && !headers.contains("Host") {
            // RFC 9112 requires Host on 1.1; curl and every SDK send it. Tolerated: local tools sometimes omit it.
        }
        var expectsContinue = false
        if let expect = headers["Expect"] {
            guard expect.lowercased() == "100-continue" else { throw .expectationFailed }
            expectsContinue = minor >= 1
        }
        return HTTPRequestHead(method: method, target: target, minorVersion: minor, headers: headers, expectsContinue: expectsContinue)
    }

    /// Decides how the body is framed; returns a request at once when there is none.
    private mutating func startBody(_ head: HTTPRequestHead) throws(HTTPParseError) -> Result? {
        body = []
        let te = head.headers.tokens("Transfer-Encoding")
        let lengths = head.headers.values("Content-Length")
        if !te.isEmpty {
            // Both framings at once is the classic smuggling vector: refuse it.
            guard lengths.isEmpty else { throw fail(.badRequest("both Transfer-Encoding and Content-Length")) }
            guard te == ["chunked"] else { throw fail(.notImplemented("unsupported Transfer-Encoding")) }
            state = .chunked(head: head, ChunkedDecoder(maxBodyBytes: maxBodyBytes, maxTrailerBytes: maxHeadBytes))
            return nil
        }
        if !lengths.isEmpty {
            let all = lengths.flatMap { $0.split(separator: ",").map { $0.trimmingASCIIWhitespace() } }
            guard let firstText = all.first, all.allSatisfy({ $0 == firstText }),
                  !firstText.isEmpty, firstText.utf8.count <= 18, firstText.allSatisfy(\.isASCIIDigit),
                  let length = Int(firstText)
            else { throw fail(.badRequest("invalid Content-Length")) }
            guard length <= maxBodyBytes else { throw fail(.bodyTooLarge) }
            if length > 0 {
                state = .fixedBody(head: head, remaining: length)
                return nil
            }
        }
        return .request(try finish(head))
    }

    private mutating func finish(_ head: HTTPRequestHead) throws(HTTPParseError) -> HTTPRequest {
        state = .head
        let b = body
        body = []
        do {
            return try HTTPRequest(method: head.method, target: head.target, headers: head.headers, body: b, minorVersion: head.minorVersion)
        } catch {
            throw fail(error)
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
