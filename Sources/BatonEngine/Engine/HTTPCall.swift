import BatonSupport

/// One outbound call of an HTTP task, and what came back.
public struct HTTPCall: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var connectTimeoutMillis: Int
    public var readTimeoutMillis: Int
}

public struct HTTPCallResult: Sendable {
    public var status: Int
    public var reasonPhrase: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public init(status: Int, reasonPhrase: String, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
        self.body = body
    }
}

/// Sends an HTTP task's request (the wiring supplies the client; the engine does no I/O itself).
public typealias HTTPSender = @Sendable (HTTPCall) -> Result<HTTPCallResult, HTTPTaskError>

public struct HTTPTaskError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}
