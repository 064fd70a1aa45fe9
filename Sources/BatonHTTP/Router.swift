/// Maps method + path to handlers with Spring's precedence: a literal segment beats a `{variable}`
/// at the first position where two matching routes differ. A path that matches under another method
/// only is a 405; no match at all is a 404.
public struct Router: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) -> HTTPResponse

    enum Segment: Sendable, Equatable {
        case literal(String)
        case variable(String)
    }

    struct Route: Sendable {
        var method: String
        var pattern: String
        var segments: [Segment]
        var handler: Handler
    }

    private var routes: [Route] = []
    private let notFound: @Sendable (HTTPRequest) -> HTTPResponse
    private let methodNotAllowed: @Sendable (HTTPRequest, [String]) -> HTTPResponse

    public init(
        notFound: @escaping @Sendable (HTTPRequest) -> HTTPResponse,
        methodNotAllowed: @escaping @Sendable (HTTPRequest, [String]) -> HTTPResponse
    ) {
        self.notFound = notFound
        self.methodNotAllowed = methodNotAllowed
    }

    /// Registers `pattern` like `/api/workflow/{workflowId}/pause`.
    public mutating func add(_ method: String, _ pattern: String, _ handler: @escaping Handler) {
        let segments: [Segment] = pattern.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
            $0.hasPrefix("{") && $0.hasSuffix("}") ? .variable(String($0.dropFirst().dropLast())) : .literal(String($0))
        }
        let normalized = segments == [.literal("")] ? [] : segments
        routes.append(Route(method: method, pattern: pattern, segments: normalized, handler: handler))
    }

    public func handle(_ request: HTTPRequest) -> HTTPResponse {
        var best: Route?
        var allowed: [String] = []
        for route in routes where matches(route.segments, request.pathSegments) {
            if route.method == request.method {
                if best == nil || isMoreSpecific(route.segments, than: best!.segments) { best = route }
            } else if !allowed.contains(route.method) {
                allowed.append(route.method)
            }
        }
        guard let route = best else {
            return allowed.isEmpty ? notFound(request) : methodNotAllowed(request, allowed)
        }
        // A more specific route under another method shadows this one, as in Spring.
        var request = request
        for (segment, value) in zip(route.segments, request.pathSegments) {
            if case .variable(let name) = segment { request.pathParameters[name] = value }
        }
        return route.handler(request)
    }

    private func matches(_ segments: [Segment], _ path: [String]) -> Bool {
        guard segments.count == path.count else { return false }
        for (s, p) in zip(segments, path) {
            if case .literal(let l) = s, l != p { return false }
        }
        return true
    }

    private func isMoreSpecific(_ a: [Segment], than b: [Segment]) -> Bool {
        for (x, y) in zip(a, b) {
            switch (x, y) {
            case (.literal, .variable): return true
            case (.variable, .literal): return false
            default: continue
            }
        }
        return false
    }
}
