import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/event`: event handler definitions.
enum EventRoutes {
    static func register(on router: inout Router, _ events: EventService) {
        let h = API.handler
        router.add("POST", "/api/event", h { req in try events.add(try req.jsonBody()); return .ok })
        router.add("PUT", "/api/event", h { req in try events.update(try req.jsonBody()); return .ok })
        router.add("GET", "/api/event", h { _ in .json(.array(try events.all().map { .object($0.json) })) })
        router.add("GET", "/api/event/{event}", h { req in
            let list = try events.handlers(forEvent: req.pathParameter("event"), activeOnly: try req.queryBool("activeOnly", default: true))
            return .json(.array(list.map { .object($0.json) }))
        })
        router.add("DELETE", "/api/event/{name}", h { req in try events.remove(req.pathParameter("name")); return .ok })
    }
}
