@testable import BatonAPI
import BatonEngine
import BatonHTTP
import BatonStore
import BatonSupport
import BatonTestSupport
import Testing

/// `/api-docs` against the route table the server really builds: every route has an entry and every
/// entry a route, and the document holds together (refs resolve, ids are unique).
@Suite struct OpenAPIDocumentTests {
    /// The router with every service the binary wires up.
    private func fullRouter(_ tmp: TemporaryDatabase) throws -> (Router, BatchLoop) {
        let clock = ManualClock(1_000_000_000)
        let sqlite = try SQLiteStore(path: tmp.path, now: clock.now)
        let catalog = DefinitionCatalog(store: sqlite)
        let loop = BatchLoop(environment: EngineEnvironment(store: sqlite, definitions: catalog, events: sqlite, scripts: ScriptEngines(),
                                                            ids: SequentialIDs(), clock: clock))
        try loop.start()
        let testing = TestControls(loop: loop, definitions: catalog, events: sqlite, allowReset: true,
                                   snapshot: { path in try sqlite.database.backup(to: path); return 0 })
        let services = Services(metadata: MetadataService(store: catalog, clock: clock), executions: WorkflowService(loop: loop),
                                events: EventService(store: sqlite), version: "test", testing: testing,
                                scheduler: SchedulerService(loop: loop),
                                observability: Observability(connections: ConnectionStatistics(), databaseBytes: { 0 }, processStartTime: 0))
        return (API.router(services), loop)
    }

    private func document(_ router: Router) throws -> JSONValue {
        let response = router.handle(try HTTPRequest(method: "GET", target: "/api-docs"))
        #expect(response.status == 200)
        return try JSONParser.parse(response.body)
    }

    @Test func everyRouteHasAnEntryAndEveryEntryARoute() throws {
        let tmp = TemporaryDatabase()
        let (router, loop) = try fullRouter(tmp)
        defer { loop.stop() }
        let routes = Set(router.table.map { "\($0.method) \($0.pattern)" })
        var documented = Set<String>()
        for (path, item) in try #require(try document(router)["paths"]?.objectValue) {
            for (method, _) in try #require(item.objectValue) { documented.insert("\(method.uppercased()) \(path)") }
        }
        #expect(routes.count == router.table.count, "a route is registered twice")
        #expect(routes.subtracting(documented).sorted() == [], "routes missing from /api-docs")
        #expect(documented.subtracting(routes).sorted() == [], "documented operations with no route")
        #expect(routes.count > 100)
    }

    @Test func operationIdsAreUniqueAndPathVariablesDeclared() throws {
        var ids = Set<String>()
        for op in APIOperations.all {
            #expect(ids.insert(op.operationId).inserted, "duplicate operationId \(op.operationId)")
            let declared = op.json["parameters"]?.arrayValue?.compactMap { p -> String? in
                p["in"] == "path" ? p["name"]?.stringValue : nil
            } ?? []
            #expect(declared == op.pathVariables, "\(op.method) \(op.path)")
            #expect(op.parameters.filter { $0.location == "path" }.allSatisfy { op.pathVariables.contains($0.name) },
                    "\(op.method) \(op.path) declares a path parameter it does not have")
        }
    }

    @Test func everyReferenceResolves() throws {
        let doc = OpenAPIDocument.json(version: "test")
        let components = try #require(doc["components"]?["schemas"]?.objectValue)
        var refs: [String] = []
        func collect(_ v: JSONValue) {
            switch v {
            case .object(let o):
                for (k, child) in o {
                    if k == "$ref", case .string(let r) = child { refs.append(r) } else { collect(child) }
                }
            case .array(let a): a.forEach(collect)
            default: break
            }
        }
        collect(doc)
        #expect(!refs.isEmpty)
        let prefix = "#/components/schemas/"
        for r in Set(refs) {
            #expect(r.hasPrefix(prefix) && components[String(r.dropFirst(prefix.count))] != nil, "unresolved \(r)")
        }
    }
}
