import BatonSupport
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What every connection of one server shares: limits, the handler, the threads it runs on.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let handler: HTTPServer.Handler
    let errorResponder: HTTPServer.ErrorResponder
    let threads: ServerThreads
    let connections: ConnectionStatistics
    let rejecting = Atomic<Int>(0)
    private let draining = Atomic<Bool>(false)
    private let log = Logger(label: "baton.http")

    init(configuration: HTTPServerConfiguration, handler: @escaping HTTPServer.Handler, errorResponder: @escaping HTTPServer.ErrorResponder,
         threads: ServerThreads, connections: ConnectionStatistics) {
        self.configuration = configuration
        self.handler = handler
        self.errorResponder = errorResponder
        self.threads = threads
        self.connections = connections
    }

    var isDraining: Bool { draining.load(ordering: .relaxed) }
    func startDraining() { draining.store(true, ordering: .relaxed) }

    func logRequest(_ request: HTTPRequest, _ response: HTTPResponse, since started: UInt64) {
        guard log.isEnabled(.debug) else { return }
        let micros = (monotonicNanos() - started) / 1000
        log.debug("request", ["method": request.method, "path": request.rawPath, "status": String(response.status), "micros": String(micros)])
    }

    func logMalformed(_ error: HTTPParseError) {
        log.debug("malformed request", ["status": String(error.status), "reason": error.message])
    }
}

/// One accepted connection: a state machine driven by whichever server thread owns it at the moment —
/// the one the socket's firing woke (it reads, runs the handler and writes the answer), the one that
/// found its deadline passed, or the one a deferred answer was queued to. Ownership passes by arming:
/// the owner records what it waits for and arms the socket (one-shot) in the same locked step, and
/// gives the connection up. Only the owner touches the fields below `phase`.
final class ServerConnection: @unchecked Sendable {
    enum Wait: Equatable {
        /// The next bytes of a request; `midRequest` when part of one has arrived (its time running out
        /// is answered 408).
        case read(midRequest: Bool)
        /// The socket's buffer was full: the rest of an answer.
        case write
        /// An error was answered and the sending side closed: what the client still sends is dropped
        /// for a moment, so the kernel does not reset the connection before the client read the answer.
        case discard
    }
    private enum Phase {
        case owned
        case waiting(Wait, deadline: UInt64)
        case closed
    }
    /// `nextRequestElsewhere`: after a deferred answer, written on whatever thread produced it; a
    /// request already buffered behind it is handled on a server thread, not there.
    private enum AfterWrite { case nextRequest, nextRequestElsewhere, close, closeGently }

    let fd: Int32
    let token: UInt64
    private let server: ServerContext
    /// Over the connection limit: answered 503 and closed, never counted as open.
    private let rejected: Bool
    private let phase = Mutex(Phase.owned)

    private var parser: HTTPRequestParser
    private var requestStartedAt: UInt64?
    private var sentContinue = false
    private var outbox: [UInt8] = []
    private var written = 0
    private var afterWrite = AfterWrite.nextRequest
    private var discarded = 0
    private var discardUntil: UInt64 = 0

    init(fd: Int32, token: UInt64, server: ServerContext, rejected: Bool) {
        self.fd = fd
        self.token = token
        self.server = server
        self.rejected = rejected
        parser = HTTPRequestParser(maxHeadBytes: server.configuration.maxHeadBytes, maxBodyBytes: server.configuration.maxBodyBytes)
    }

    private var configuration: HTTPServerConfiguration { server.configuration }

    // MARK: Waking up

    /// Starts watching the socket (just accepted).
    func begin() {
        // Watched from now on; while the connection is owned here a firing is ignored, and the first
        // `arm` re-enables it.
        guard server.threads.poller.add(fd, token: token, interest: .read) else {
            close()
            return
        }
        if rejected {
            sendError(503, "too many connections")
        } else {
            nextRequest()
        }
    }

    /// The socket fired. Does what the connection was waiting for.
    func ready(readBuffer: UnsafeMutableBufferPointer<UInt8>) {
        let waited = phase.withLock { p -> Wait? in
            guard case .waiting(let wait, _) = p else { return nil }
            p = .owned
            return wait
        }
        switch waited {
        case nil: return
        case .read?: readRequestBytes(readBuffer)
        case .write?: flush()
        case .discard?: discardIncoming(readBuffer)
        }
    }

    /// Acts on a passed deadline (or, once the server drains, on idleness). True when the connection is
    /// closed and can be forgotten.
    func checkDeadline(_ now: UInt64) -> Bool {
        let expired = phase.withLock { p -> Wait?? in
            switch p {
            case .closed: return .some(nil)
            case .owned: return nil
            case .waiting(let wait, let deadline):
                let idle = wait == .read(midRequest: false)
                guard now >= deadline || (idle && server.isDraining) else { return nil }
                p = .owned
                return .some(wait)
            }
        }
        guard let expired else { return false }
        switch expired {
        case nil: return true
        case .read(midRequest: true)?: sendError(408, "request not received in time")
        case .read?, .write?, .discard?: close()
        }
        return phase.withLock { if case .closed = $0 { true } else { false } }
    }

    private func readRequestBytes(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        let n = recv(fd, buffer.baseAddress, buffer.count, 0)
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            nextRequest()
            return
        }
        guard n > 0 else { close(); return }
        if requestStartedAt == nil { requestStartedAt = monotonicNanos() }
        parser.append(UnsafeRawBufferPointer(UnsafeMutableRawBufferPointer(rebasing: UnsafeMutableRawBufferPointer(buffer)[0..<n])))
        nextRequest()
    }

    private func discardIncoming(_ buffer: UnsafeMutableBufferPointer<UInt8>) {
        let n = recv(fd, buffer.baseAddress, buffer.count, 0)
        if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            arm(.discard, deadline: discardUntil)
            return
        }
        guard n > 0 else { close(); return }
        discarded += n
        if discarded > 4 * 1024 * 1024 { close(); return }
        arm(.discard, deadline: discardUntil)
    }

    // MARK: Whoever owns the connection

    /// Answers every complete request already buffered, in order (pipelining), then waits for more.
    private func nextRequest() {
        let event: HTTPRequestParser.Result
        do {
            event = try parser.next()
        } catch {
            server.logMalformed(error)
            sendError(error.status, error.message)
            return
        }
        switch event {
        case .request(let request):
            requestStartedAt = nil
            sentContinue = false
            let keepAlive = request.wantsKeepAlive && !server.isDraining
            answer(request, keepAlive: keepAlive)
            return
        case .needMoreData:
            if let head = parser.pendingHead, head.expectsContinue, !sentContinue {
                sentContinue = true
                send(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8), then: .nextRequest)
                return
            }
        }
        let midRequest = parser.hasBufferedBytes
        if !midRequest && server.isDraining {
            close()
            return
        }
        let now = monotonicNanos()
        let seconds: Double
        if let started = requestStartedAt, midRequest {
            seconds = parser.pendingHead == nil
                ? max(0, configuration.headTimeoutSeconds - Double(now - started) / 1e9)
                : configuration.readTimeoutSeconds
        } else {
            seconds = configuration.idleTimeoutSeconds
        }
        arm(.read(midRequest: midRequest), deadline: now + UInt64(seconds * 1e9))
    }

    private func answer(_ request: HTTPRequest, keepAlive: Bool) {
        var request = request
        let isHead = request.method == "HEAD"
        if isHead { request.method = "GET" }
        let started = monotonicNanos()
        let response = server.handler(request)
        guard let deferred = response.deferred else {
            server.logRequest(request, response, since: started)
            respond(response, keepAlive: keepAlive, isHead: isHead)
            return
        }
        // The thread is free now; the connection waits (owned by the deferred answer) without one.
        let once = Atomic<Bool>(false)
        deferred.start { [self, request] final in
            guard !once.exchange(true, ordering: .acquiringAndReleasing) else { return }
            server.logRequest(request, final, since: started)
            // Written here at once; whoever answered (a timer, a commit's follow-up) must not go on
            // to run the next request's handler, so that moves to a server thread.
            respond(final, keepAlive: keepAlive, isHead: isHead, then: .nextRequestElsewhere)
        }
    }

    private func respond(_ response: HTTPResponse, keepAlive: Bool, isHead: Bool, then next: AfterWrite = .nextRequest) {
        var bytes = response.head(keepAlive: keepAlive)
        if !isHead { bytes.append(contentsOf: response.body) }
        send(bytes, then: keepAlive ? next : .close)
    }

    /// Answers an error the server found itself, then closes gently (see `Wait.discard`).
    private func sendError(_ status: Int, _ message: String) {
        let response = server.errorResponder(status, message)
        send(response.head(keepAlive: false) + response.body, then: .closeGently)
    }

    private func send(_ bytes: [UInt8], then next: AfterWrite) {
        outbox = bytes
        written = 0
        afterWrite = next
        flush()
    }

    private func flush() {
        while written < outbox.count {
            let n = outbox.withUnsafeBytes { raw in
                Socket.send(fd, raw.baseAddress! + written, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    arm(.write, deadline: monotonicNanos() + UInt64(configuration.readTimeoutSeconds * 1e9))
                    return
                }
                close()
                return
            }
            written += n
        }
        outbox = []
        switch afterWrite {
        case .nextRequest: nextRequest()
        case .nextRequestElsewhere:
            if parser.hasBufferedBytes {
                server.threads.submit { [self] in nextRequest() }
            } else {
                nextRequest()   // only arms the socket
            }
        case .close: close()
        case .closeGently:
            Socket.halfClose(fd)
            discarded = 0
            discardUntil = monotonicNanos() + 1_000_000_000
            arm(.discard, deadline: discardUntil)
        }
    }

    /// Gives the connection up until the socket fires or `deadline` passes.
    private func arm(_ wait: Wait, deadline: UInt64) {
        let ok = phase.withLock { p -> Bool in
            p = .waiting(wait, deadline: deadline)
            if server.threads.poller.rearm(fd, token: token, interest: wait == .write ? .write : .read) { return true }
            p = .owned
            return false
        }
        if !ok { close() }
    }

    private func close() {
        let wasOpen = phase.withLock { p -> Bool in
            if case .closed = p { return false }
            p = .closed
            server.threads.poller.remove(fd)
            Glibc_close(fd)
            return true
        }
        guard wasOpen else { return }
        if rejected {
            server.rejecting.subtract(1, ordering: .relaxed)
        } else {
            server.connections.open.subtract(1, ordering: .releasing)
        }
    }
}

#if canImport(Glibc)
private func Glibc_close(_ fd: Int32) { _ = Glibc.close(fd) }
#else
private func Glibc_close(_ fd: Int32) { _ = Darwin.close(fd) }
#endif
