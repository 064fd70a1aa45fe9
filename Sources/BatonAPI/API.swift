import BatonEngine
import BatonHTTP
import BatonSupport

/// The services the routes talk to.
public struct Services: Sendable {
    public var metadata: MetadataService
    public var executions: WorkflowService?
    public var events: EventService?
    public var version: String
    /// The server's settings as `GET /api/admin/config` shows them.
    public var configuration: JSONObject
    /// The process environment: `/api/environment` and `/api/secrets` read its `CONDUCTOR_ENV_` and
    /// `CONDUCTOR_SECRET_` variables, as OSS's default env-backed stores do.
    public var environment: [String: String]
    /// The manual clock, reset and snapshots (`/api/admin/clock`, `/reset`, `/snapshot`).
    public var testing: TestControls?
    /// Workflow schedules (`/api/scheduler`).
    public var scheduler: SchedulerService?
    /// Connections, database size and process start for `/metrics`.
    public var observability: Observability?

    public init(metadata: MetadataService, executions: WorkflowService? = nil, events: EventService? = nil, version: String,
                configuration: JSONObject = JSONObject(), environment: [String: String] = [:], testing: TestControls? = nil,
                scheduler: SchedulerService? = nil, observability: Observability? = nil) {
        self.observability = observability
        self.testing = testing
        self.scheduler = scheduler
        self.metadata = metadata
        self.executions = executions
        self.events = events
        self.version = version
        self.configuration = configuration
        self.environment = environment
    }
}

/// The `/api` route table.
public enum API {
    public static func router(_ services: Services) -> Router {
        var router = Router(
            notFound: { request in ErrorResponses.body(status: 404, message: "No static resource \(request.rawPath.dropFirst()).") },
            methodNotAllowed: { request, allowed in
                var r = ErrorResponses.body(status: 405, message: "Request method '\(request.method)' is not supported")
                r.headers.set("Allow", allowed.joined(separator: ", "))
                return r
            }
        )
        let health: Router.Handler = { _ in
            .json(["healthResults": [], "suppressedHealthResults": [], "healthy": true])
        }
        router.add("GET", "/health", health)
        router.add("GET", "/api/health", health)
        router.add("GET", "/api/version", { _ in .text(services.version) })
        MetadataRoutes.register(on: &router, services.metadata)
        if let executions = services.executions {
            WorkflowRoutes.register(on: &router, executions)
            TaskRoutes.register(on: &router, executions)
            ManagementRoutes.register(on: &router, executions)
            SearchRoutes.register(on: &router, executions)
            StateRoutes.register(on: &router, executions)
            AdminRoutes.register(on: &router, executions, services)
            if let testing = services.testing { TestingRoutes.register(on: &router, testing) }
            if let observability = services.observability { MetricsRoutes.register(on: &router, executions, observability) }
        }
        if let events = services.events { EventRoutes.register(on: &router, events) }
        if let scheduler = services.scheduler { SchedulerRoutes.register(on: &router, scheduler) }
        OpenAPIDocument.register(on: &router, version: services.version)
        return router
    }

    /// Runs a throwing handler and turns what it throws into Conductor's error JSON.
    static func handler(_ body: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) -> Router.Handler {
        { request in
            do {
                return try body(request)
            } catch {
                return ErrorResponses.response(for: error, request: request)
            }
        }
    }

    /// An answer that comes later, without holding a thread meanwhile: `start` begins the engine call
    /// with its completion; `respond` shapes its value (what either throws is answered as `handler`
    /// answers a thrown error).
    static func later<T: Sendable>(_ request: HTTPRequest,
                                   _ start: @escaping @Sendable (_ done: @escaping @Sendable (Result<T, EngineError>) -> Void) -> Void,
                                   respond: @escaping @Sendable (T) throws -> HTTPResponse) -> HTTPResponse {
        .later { answer in
            start { result in
                do {
                    answer(try respond(try result.get()))
                } catch {
                    answer(ErrorResponses.response(for: error, request: request))
                }
            }
        }
    }

    /// The server's own errors (malformed requests, limits) in the same JSON shape.
    public static func errorResponder(status: Int, message: String) -> HTTPResponse {
        ErrorResponses.body(status: status, message: message)
    }
}
