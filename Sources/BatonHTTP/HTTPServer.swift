import BatonSupport
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits and timeouts of the HTTP server.
public struct HTTPServerConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8080
    public var maxHeadBytes = 16 * 1024
    public var maxBodyBytes = 10 * 1024 * 1024
    /// From the first byte of a request until its head is complete.
    public var headTimeoutSeconds = 10.0
    /// Longest wait for the next bytes of a body that has started.
    public var readTimeoutSeconds = 30.0
    /// A keep-alive connection with no request in flight is closed after this.
    public var idleTimeoutSeconds = 60.0
    /// Connections beyond this are answered 503 and closed.
    public var maxConnections = 1024
    public var backlog: Int32 = 512

    public init() {}
}

/// An HTTP/1.1 server on POSIX sockets: one thread accepts, each connection has its own thread doing
/// blocking I/O, so a slow client or a long poll never holds up anyone else, and idle keep-alive
/// connections cost one parked thread each rather than a slot in a shared pool.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse
    /// Builds the body for errors the server answers itself (malformed requests, limits).
    public typealias ErrorResponder = @Sendable (_ status: Int, _ message: String) -> HTTPResponse

    public let configuration: HTTPServerConfiguration
    private let handler: Handler
    private let errorResponder: ErrorResponder
    private let log = Logger(label: "baton.http")

    private struct State {
        var listenFD: Int32 = -1
        var port = 0
        var draining = false
        var acceptThreadDone = false
    }
    private let state = Mutex(State())
    /// Open and accepted connections, shared with whoever reports them (`/metrics`).
    public let connections: ConnectionStatistics
    /// Over-limit connections being answered 503.
    private let rejecting = Atomic<Int>(0)
    /// Written once at shutdown; stays readable, so every poller wakes.
    private let wakePipe: (read: Int32, write: Int32)

    public init(configuration: HTTPServerConfiguration, handler: @escaping Handler, errorResponder: @escaping ErrorResponder,
                connections: ConnectionStatistics = ConnectionStatistics()) {
        self.connections = connections
        self.configuration = configuration
        self.handler = handler
        self.errorResponder = errorResponder
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        Socket.setCloseOnExec(fds[0])
        Socket.setCloseOnExec(fds[1])
        wakePipe = (fds[0], fds[1])
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { state.withLock { $0.port } }

    /// Binds and starts accepting on a background thread.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let bound = Socket.boundPort(fd)
        state.withLock {
            $0.listenFD = fd
            $0.port = bound
        }
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "baton-accept"
        thread.start()
    }

    /// Stops accepting, lets in-flight requests finish (up to `drainSeconds`), closes idle connections.
    /// Returns true when every connection ended in time.
    @discardableResult
    public func shutdown(drainSeconds: Double = 10) -> Bool {
        let alreadyDraining = state.withLock { s -> Bool in
            defer { s.draining = true }
            return s.draining
        }
        if !alreadyDraining {
            var one: UInt8 = 1
            _ = write(wakePipe.write, &one, 1)
        }
        let deadline = monotonicNanos() + UInt64(drainSeconds * 1e9)
        while monotonicNanos() < deadline {
            let acceptDone = state.withLock { $0.acceptThreadDone }
            if acceptDone && connections.open.load(ordering: .acquiring) == 0 { return true }
            usleep(5_000)
        }
        return false
    }

    private var isDraining: Bool { state.withLock { $0.draining } }

    private func acceptLoop(_ listenFD: Int32) {
        defer {
            close(listenFD)
            state.withLock { $0.acceptThreadDone = true }
        }
        while true {
            switch Socket.waitReadable(listenFD, wakeFD: wakePipe.read, timeoutMillis: -1) {
            case .wake, .error: return
            case .timedOut: continue
            case .readable: break
            }
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EMFILE || errno == ENFILE {
                    log.warning("out of file descriptors; pausing accept")
                    usleep(50_000)
                }
                continue
            }
            Socket.configureAccepted(fd, sendTimeoutSeconds: Int(configuration.readTimeoutSeconds))
            if connections.open.load(ordering: .relaxed) >= configuration.maxConnections {
                // Answer rather than leave the client hanging in the backlog. The answer is sent with
                // the gentle close of `sendError` on a short-lived thread (a few at most), so a client
                // that already sent its request still reads the 503 instead of a reset.
                if rejecting.add(1, ordering: .relaxed).newValue <= 16 {
                    let thread = Thread { [self] in
                        sendError(fd, 503, "too many connections")
                        close(fd)
                        rejecting.subtract(1, ordering: .relaxed)
                    }
                    thread.start()
                } else {
                    rejecting.subtract(1, ordering: .relaxed)
                    let response = errorResponder(503, "too many connections")
                    _ = Socket.writeAll(fd, response.head(keepAlive: false) + response.body)
                    close(fd)
                }
                continue
            }
            connections.open.add(1, ordering: .relaxed)
            connections.accepted.add(1, ordering: .relaxed)
            let thread = Thread { [self] in
                serve(fd)
                close(fd)
                connections.open.subtract(1, ordering: .releasing)
            }
            // Handlers may run an engine batch on this thread, and deciding a deeply nested workflow
            // recurses: the engine thread's stack size, reserved but only touched as needed.
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func millis(_ seconds: Double) -> Int32 { Int32(clamping: Int(seconds * 1000)) }

    /// Serves requests on one connection until it closes, times out or the server drains.
    private func serve(_ fd: Int32) {
        var parser = HTTPRequestParser(maxHeadBytes: configuration.maxHeadBytes, maxBodyBytes: configuration.maxBodyBytes)
        var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
        var requestStartedAt: UInt64?
        var sentContinue = false
        while true {
            // Answer every complete request already buffered (pipelining keeps order: one at a time).
            do {
                switch try parser.next() {
                case .request(let request):
                    requestStartedAt = nil
                    sentContinue = false
                    let keepAlive = request.wantsKeepAlive && !isDraining
                    if !respond(to: request, on: fd, keepAlive: keepAlive) || !keepAlive { return }
                    continue
                case .needMoreData:
                    if let head = parser.pendingHead, head.expectsContinue, !sentContinue {
                        sentContinue = true
                        guard Socket.writeAll(fd, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return }
                    }
                }
            } catch {
                log.debug("malformed request", ["status": String(error.status), "reason": error.message])
                sendError(fd, error.status, error.message)
                return
            }

            let midRequest = parser.hasBufferedBytes
            if !midRequest && isDraining { return }
            let timeout: Int32
            if let started = requestStartedAt, midRequest {
                if parser.pendingHead == nil {
                    let elapsed = Double(monotonicNanos() - started) / 1e9
                    timeout = millis(max(0, configuration.headTimeoutSeconds - elapsed))
                } else {
                    timeout = millis(configuration.readTimeoutSeconds)
                }
            } else {
                timeout = millis(configuration.idleTimeoutSeconds)
            }
            // Once draining, only idle connections need waking; a request in progress reads on.
            let wake: Int32? = isDraining ? nil : wakePipe.read
            switch Socket.waitReadable(fd, wakeFD: wake, timeoutMillis: timeout) {
            case .wake: continue
            case .error: return
            case .timedOut:
                if midRequest { sendError(fd, 408, "request not received in time") }
                return
            case .readable:
                let n = readBuffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                if requestStartedAt == nil { requestStartedAt = monotonicNanos() }
                readBuffer.withUnsafeBytes { parser.append(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
        }
    }

    private func respond(to request: HTTPRequest, on fd: Int32, keepAlive: Bool) -> Bool {
        var request = request
        let isHead = request.method == "HEAD"
        if isHead { request.method = "GET" }
        let started = monotonicNanos()
        let response = handler(request)
        if log.isEnabled(.debug) {
            let micros = (monotonicNanos() - started) / 1000
            log.debug("request", ["method": request.method, "path": request.rawPath, "status": String(response.status), "micros": String(micros)])
        }
        var bytes = response.head(keepAlive: keepAlive)
        if !isHead { bytes.append(contentsOf: response.body) }
        return Socket.writeAll(fd, bytes)
    }

    /// Answers an error the server found itself and closes gently: half-close, then discard what the
    /// client is still sending for a moment, so the kernel does not reset the connection before the
    /// client has read the answer (a 413 arrives while the body is still on its way).
    private func sendError(_ fd: Int32, _ status: Int, _ message: String) {
        let response = errorResponder(status, message)
        guard Socket.writeAll(fd, response.head(keepAlive: false) + response.body) else { return }
        Socket.halfClose(fd)
        var scratch = [UInt8](repeating: 0, count: 16 * 1024)
        var discarded = 0
        let deadline = monotonicNanos() + 1_000_000_000
        while discarded < 4 * 1024 * 1024, monotonicNanos() < deadline {
            guard case .readable = Socket.waitReadable(fd, wakeFD: nil, timeoutMillis: 200) else { return }
            let n = scratch.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            discarded += n
        }
    }
}

/// Connections a server has open now and has accepted since it started.
public final class ConnectionStatistics: Sendable {
    public let open = Atomic<Int>(0)
    public let accepted = Atomic<Int>(0)

    public init() {}
}
