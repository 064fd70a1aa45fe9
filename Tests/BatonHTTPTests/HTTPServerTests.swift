@testable import BatonHTTP
import Dispatch
import Synchronization
import Testing

/// The event-driven server end to end on a loopback port: deferred answers hold no thread, and a
/// handler that waits does not hold up other clients.
@Suite struct HTTPServerTests {
    private func server(_ handler: @escaping HTTPServer.Handler) throws -> HTTPServer {
        var configuration = HTTPServerConfiguration()
        configuration.port = 0
        let server = try HTTPServer(configuration: configuration, handler: handler,
                                    errorResponder: { status, message in .text(message, status: status) })
        try server.start()
        return server
    }

    private func get(_ server: HTTPServer, _ path: String) throws -> (Int, String) {
        let r = try HTTPClient.send(method: "GET", url: "http://127.0.0.1:\(server.port)\(path)", headers: [], body: nil, connectTimeoutMillis: 2000, readTimeoutMillis: 5000)
        return (r.status, String(decoding: r.body, as: UTF8.self))
    }

    @Test func deferredAnswersArriveWithoutHoldingAThread() throws {
        let server = try server { req in
            guard req.rawPath == "/later" else { return .text("now") }
            return .later { answer in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(200)) { answer(.text("later", status: 201)) }
            }
        }
        defer { server.shutdown(drainSeconds: 2) }
        let threadsBefore = server.threadCount
        let answers = Mutex<[Int]>([])
        DispatchQueue.concurrentPerform(iterations: 100) { _ in
            let status = (try? get(server, "/later").0) ?? -1
            answers.withLock { $0.append(status) }
        }
        #expect(answers.withLock { $0 } == Array(repeating: 201, count: 100))
        // A hundred answers parked at once took no thread each.
        #expect(server.threadCount <= threadsBefore + 2)
        #expect(try get(server, "/now") == (200, "now"))
    }

    @Test func aWaitingHandlerDoesNotHoldUpOthers() throws {
        let release = DispatchSemaphore(value: 0)
        let server = try server { req in
            if req.rawPath == "/stuck" { release.wait() }
            return .text("ok")
        }
        defer { server.shutdown(drainSeconds: 2) }
        let stuck = DispatchGroup()
        for _ in 0..<(server.threadCount + 2) {
            DispatchQueue.global().async(group: stuck) { _ = try? self.get(server, "/stuck") }
        }
        // Every core thread is now waiting in a handler; the server starts more for other clients.
        #expect(try get(server, "/quick") == (200, "ok"))
        for _ in 0..<64 { release.signal() }
        stuck.wait()
    }
}
