/// A response; the server adds Content-Length and Connection.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Set when the answer comes later (a long poll, a synchronous execute): the server frees the
    /// thread, and the connection waits without one until `answer` is called.
    public var deferred: DeferredResponse?

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain;charset=UTF-8")]), body: Array(text.utf8))
    }

    public static func json(_ bytes: [UInt8], status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: bytes)
    }

    /// A response produced later: `start` is called once with the function that sends it; call that
    /// exactly once, from any thread.
    public static func later(_ start: @escaping @Sendable (_ answer: @escaping @Sendable (HTTPResponse) -> Void) -> Void) -> HTTPResponse {
        var r = HTTPResponse(status: 0)
        r.deferred = DeferredResponse(start)
        return r
    }

    /// 200 with no body (Conductor's "void").
    public static let ok = HTTPResponse(status: 200)
    public static let noContent = HTTPResponse(status: 204)

    /// Status line and headers, ready for the wire.
    func head(keepAlive: Bool) -> [UInt8] {
        var s = "HTTP/1.1 \(status) \(Self.reason(status))\r\n"
        for (n, v) in headers where !HTTPHeaders.equal(n, "Content-Length") && !HTTPHeaders.equal(n, "Connection") {
            s += "\(n): \(v)\r\n"
        }
        // 1xx and 204 carry no body and no Content-Length (RFC 9110 8.6).
        if status != 204 && status >= 200 { s += "Content-Length: \(body.count)\r\n" }
        s += keepAlive ? "Connection: keep-alive\r\n" : "Connection: close\r\n"
        s += "\r\n"
        return Array(s.utf8)
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 415: "Unsupported Media Type"
        case 417: "Expectation Failed"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

/// See `HTTPResponse.later`.
public final class DeferredResponse: Sendable {
    public let start: @Sendable (_ answer: @escaping @Sendable (HTTPResponse) -> Void) -> Void
    init(_ start: @escaping @Sendable (_ answer: @escaping @Sendable (HTTPResponse) -> Void) -> Void) { self.start = start }
}
