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

/// An HTTP/1.1 server on POSIX sockets, event-driven: one thread accepts; every connection is watched
/// by one epoll/kqueue set that a small group of threads waits on (`ServerThreads`), and the thread a
/// connection's bytes wake reads, runs the handler and answers. An idle keep-alive connection, a slow
/// client or a long poll (a deferred answer, see `HTTPResponse.later`) holds no thread.
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse
    /// Builds the body for errors the server answers itself (malformed requests, limits).
    public typealias ErrorResponder = @Sendable (_ status: Int, _ message: String) -> HTTPResponse

    public let configuration: HTTPServerConfiguration
    private let context: ServerContext
    private let log = Logger(label: "baton.http")

    private struct State {
        var listenFD: Int32 = -1
        var port = 0
        var draining = false
        var acceptThreadDone = false
    }
    private let state = Mutex(State())
    private let nextToken = Atomic<UInt64>(1)
    /// Open and accepted connections, shared with whoever reports them (`/metrics`).
    public let connections: ConnectionStatistics
    /// Written once at shutdown; stays readable, so the accept thread wakes.
    private let wakePipe: (read: Int32, write: Int32)

    public init(configuration: HTTPServerConfiguration, handler: @escaping Handler, errorResponder: @escaping ErrorResponder,
                connections: ConnectionStatistics = ConnectionStatistics()) throws {
        self.connections = connections
        self.configuration = configuration
        let cores = ProcessInfo.processInfo.activeProcessorCount
        // Two per core keep the cores busy while a handler waits for a commit; more are started only
        // while every one has been in a handler for a while (see `ServerThreads.supervise`).
        let threads = try ServerThreads(name: "baton-http", coreThreads: 2 * cores, maxThreads: max(64, 16 * cores))
        context = ServerContext(configuration: configuration, handler: handler, errorResponder: errorResponder,
                                threads: threads, connections: connections)
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        Socket.setCloseOnExec(fds[0])
        Socket.setCloseOnExec(fds[1])
        wakePipe = (fds[0], fds[1])
    }

    /// The port actually bound (useful with port 0).
    public var port: Int { state.withLock { $0.port } }

    /// Threads the server runs on now (accepting and serving).
    public var threadCount: Int { 1 + context.threads.threadCount }

    /// Binds and starts accepting on a background thread.
    public func start() throws {
        signal(SIGPIPE, SIG_IGN)
        let fd = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        let bound = Socket.boundPort(fd)
        // Accepting drains the backlog until it would block.
        Socket.setNonBlocking(fd)
        state.withLock {
            $0.listenFD = fd
            $0.port = bound
        }
        context.threads.start()
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
            context.startDraining()
            var one: UInt8 = 1
            _ = write(wakePipe.write, &one, 1)
            context.threads.ring()
        }
        let deadline = monotonicNanos() + UInt64(drainSeconds * 1e9)
        while monotonicNanos() < deadline {
            let acceptDone = state.withLock { $0.acceptThreadDone }
            if acceptDone && connections.open.load(ordering: .acquiring) == 0 {
                context.threads.stop()
                return true
            }
            usleep(5_000)
        }
        return false
    }

    private func acceptLoop(_ listenFD: Int32) {
        defer {
            close(listenFD)
            state.withLock { $0.acceptThreadDone = true }
        }
        while true {
            switch Socket.waitReadable(listenFD, wakeFD: wakePipe.read, timeoutMillis: Int32(ServerThreads.starvedMillis)) {
            case .wake, .error: return
            case .timedOut:
                context.threads.supervise()
                continue
            case .readable: context.threads.supervise()
            }
            // Take everything the backlog holds before waiting again.
            while true {
                let fd = accept(listenFD, nil, nil)
                if fd < 0 {
                    if errno == EMFILE || errno == ENFILE {
                        log.warning("out of file descriptors; pausing accept")
                        usleep(50_000)
                    }
                    break
                }
                Socket.configureAccepted(fd)
                // Over the limit: answered 503 rather than left hanging in the backlog (a bounded number
                // at a time; beyond that they are just closed).
                var rejected = false
                if connections.open.load(ordering: .relaxed) >= configuration.maxConnections {
                    guard context.rejecting.add(1, ordering: .relaxed).newValue <= 64 else {
                        context.rejecting.subtract(1, ordering: .relaxed)
                        close(fd)
                        continue
                    }
                    rejected = true
                } else {
                    connections.open.add(1, ordering: .relaxed)
                    connections.accepted.add(1, ordering: .relaxed)
                }
                let token = nextToken.add(1, ordering: .relaxed).newValue
                context.threads.adopt(ServerConnection(fd: fd, token: token, server: context, rejected: rejected))
            }
        }
    }
}

/// Connections a server has open now and has accepted since it started.
public final class ConnectionStatistics: Sendable {
    public let open = Atomic<Int>(0)
    public let accepted = Atomic<Int>(0)

    public init() {}
}
