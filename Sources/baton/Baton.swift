import BatonAPI
import BatonUI
import BatonEngine
import BatonHTTP
import BatonSQLite
import BatonStore
import BatonSupport
import Dispatch
import Foundation

@main
enum Baton {
    static func main() {
        // Block the stop signals in every thread (each inherits this mask) so that only the waiter
        // thread started in `serve` receives them, through sigwait.
        var stopSignals = sigset_t()
        sigemptyset(&stopSignals)
        sigaddset(&stopSignals, SIGTERM)
        sigaddset(&stopSignals, SIGINT)
        pthread_sigmask(SIG_BLOCK, &stopSignals, nil)
        let command: Command
        do {
            command = try CommandLineParser.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            fail("baton: \(error)", code: 2)
        }
        switch command {
        case .help:
            print(CommandLineParser.helpText, terminator: "")
        case .version:
            print("baton \(BatonVersion.current)")
        case .serve(let flags, let configPath):
            serve(flags: flags, configPath: configPath)
        case .snapshot(let db, let out):
            do {
                let bytes = try Snapshot.copy(db: db, to: out)
                print("baton: snapshot of \(db) written to \(out) (\(bytes) bytes)")
            } catch {
                fail("baton: snapshot: \(error)")
            }
        case .copyDefinitions(let plan):
            do {
                let ok = try DefinitionCopy(plan: plan).run { print($0) }
                if !ok { exit(1) }
            } catch {
                fail("baton: \(plan.verb): \(error)")
            }
        }
    }

    static func fail(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        exit(code)
    }

    /// The configuration file: `--config`, else `BATON_CONFIG`, else `config/baton.json` if present.
    static func configFile(_ explicit: String?, environment: [String: String]) -> (path: String, text: String)? {
        let path = explicit ?? environment["BATON_CONFIG"]
        if let path {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                fail("baton: cannot read configuration file \(path)")
            }
            return (path, text)
        }
        let fallback = "config/baton.json"
        guard let text = try? String(contentsOfFile: fallback, encoding: .utf8) else { return nil }
        return (fallback, text)
    }

    static func serve(flags: [String: String], configPath: String?) {
        let started = monotonicNanos()
        let processStartTime = Date().timeIntervalSince1970
        let connections = ConnectionStatistics()
        let environment = ProcessInfo.processInfo.environment
        let config: Configuration
        do {
            config = try Configuration.load(file: configFile(configPath, environment: environment), environment: environment, flags: flags)
        } catch {
            fail("baton: bad configuration: \(error)")
        }
        Logger.setLevel(LogLevel(name: config.logLevel) ?? .info)
        let log = Logger(label: "baton")

        let store: SQLiteStore
        do {
            store = try SQLiteStore(path: config.db, synchronous: SynchronousMode(rawValue: config.sqliteSynchronous) ?? .full,
                                    busyTimeoutMillis: Int32(config.sqliteBusyTimeoutMillis), readerCount: config.sqliteReaders,
                                    now: WallClock().now)
        } catch {
            fail("baton: cannot open database \(config.db): \(error)")
        }
        // The manual clock starts frozen — at --clock-start, else where it stood after its last advance
        // on this database (a restart or a snapshot resumes there), else at the wall time — and moves
        // only on POST /api/admin/clock/advance.
        let clock: any TimeSource
        if config.clock == "manual" {
            let stored = config.clockStart > 0 ? nil : try? store.storedManualClock()
            clock = ManualClock(config.clockStart > 0 ? Int64(config.clockStart) : stored ?? WallClock().now)
        } else {
            clock = WallClock()
        }

        // Definitions are read through the catalog (an in-memory snapshot that every write through it
        // replaces), by the engine and the metadata API alike.
        let catalog = DefinitionCatalog(store: store)
        let tls: CurlClient
        do {
            tls = try CurlClient(extraCAFile: config.httpCaFile)
        } catch {
            fail("baton: httpCaFile: \(error)")
        }
        let ids: any IDSource
        let random: any RandomSource
        if config.ids == "sequential" {
            do { ids = SequentialIDs(after: try store.largestSequentialIdNumber()) } catch {
                store.close()
                fail("baton: cannot read ids from \(config.db): \(error)")
            }
            random = SeededRandom(seed: 1)
        } else {
            ids = TimeOrderedIDs()
            random = SystemRandom()
        }
        let engineEnvironment = EngineEnvironment(store: store, definitions: catalog, events: store, scripts: ScriptEngines(),
                                                  ids: ids, random: random, clock: clock,
                                            httpSender: { call in
            do {
                // Plain http:// stays on Baton's own client; https:// goes through libcurl's TLS.
                let send = call.uri.lowercased().hasPrefix("https://") ? tls.send : HTTPClient.send
                let r = try send(call.method, call.uri, call.headers, call.body, call.connectTimeoutMillis, call.readTimeoutMillis)
                return .success(HTTPCallResult(status: r.status, reasonPhrase: r.reason, headers: r.headers, body: r.body))
            } catch {
                return .failure(HTTPTaskError("\(error)"))
            }
        })
        // Active workflows come back into memory; timers that fell due while we were down fire at once.
        let loop = BatchLoop(environment: engineEnvironment)
        do throws(EngineError) {
            try loop.start()
        } catch {
            store.close()
            fail("baton: cannot load executions from \(config.db): \(error.message)")
        }
        let testing = TestControls(loop: loop, definitions: catalog, events: store, allowReset: config.allowReset,
                                   snapshot: { path in try Snapshot.write(store.database, to: path) },
                                   keepClock: { now in try store.saveManualClock(now) })
        let services = Services(metadata: MetadataService(store: catalog, clock: clock), executions: WorkflowService(loop: loop),
                                events: EventService(store: store), version: BatonVersion.current,
                                configuration: config.settingsJSON, environment: ProcessInfo.processInfo.environment,
                                testing: testing, scheduler: SchedulerService(loop: loop),
                                observability: Observability(connections: connections, databaseBytes: { (try? store.databaseBytes()) ?? 0 },
                                                             processStartTime: processStartTime))
        var router = API.router(services)
        WebUI.register(on: &router, services)
        var http = HTTPServerConfiguration()
        http.host = config.host
        http.port = config.port
        http.maxBodyBytes = config.maxBodyBytes
        http.maxHeadBytes = config.maxHeadBytes
        http.headTimeoutSeconds = config.headTimeoutSeconds
        http.readTimeoutSeconds = config.readTimeoutSeconds
        http.idleTimeoutSeconds = config.idleTimeoutSeconds
        http.maxConnections = config.maxConnections
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: http, handler: router.handle, errorResponder: API.errorResponder, connections: connections)
            try server.start()
        } catch {
            store.close()
            fail("baton: cannot listen on \(config.host):\(config.port): \(error)")
        }
        let startupMillis = Double(monotonicNanos() - started) / 1e6
        log.info("listening", ["address": "http://\(config.host):\(server.port)", "db": config.db,
                               "schema": String(SQLiteStore.schemaVersion), "startupMillis": String(format: "%.1f", startupMillis)])

        // Graceful stop: no new connections, in-flight requests finish, the database closes cleanly.
        let stop: @Sendable (String) -> Void = { name in
            log.info("shutting down", ["signal": name])
            loop.signals.close()
            let drained = server.shutdown(drainSeconds: config.shutdownGraceSeconds)
            if !drained { log.warning("connections still open after the grace period; closing anyway") }
            loop.stop()
            store.close()
            log.info("stopped")
            exit(0)
        }
        let waiter = Thread {
            var set = sigset_t()
            sigemptyset(&set)
            sigaddset(&set, SIGTERM)
            sigaddset(&set, SIGINT)
            var received: Int32 = 0
            while sigwait(&set, &received) != 0 {}
            stop(received == SIGINT ? "SIGINT" : "SIGTERM")
        }
        waiter.name = "baton-signals"
        waiter.start()
        while true { sleep(3600) }
    }
}
