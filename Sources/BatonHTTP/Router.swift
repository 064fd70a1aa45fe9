import BatonSupport
import Synchronization

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
        var stats: RouteStatistics
    }

    private var routes: [Route] = []
    /// Requests per route (and for no route), shared with the `/metrics` handler, which may be
    /// registered before the routes it reports.
    public let statistics = RouterStatistics()
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
        let stats = RouteStatistics(method: method, pattern: pattern)
        statistics.register(stats)
        routes.append(Route(method: method, pattern: pattern, segments: normalized, handler: handler, stats: stats))
    }

    /// Every registered (method, pattern), in registration order.
    public var table: [(method: String, pattern: String)] { routes.map { ($0.method, $0.pattern) } }

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
        let started = monotonicNanos()
        guard let route = best else {
            let response = allowed.isEmpty ? notFound(request) : methodNotAllowed(request, allowed)
            statistics.unmatched.record(status: response.status, seconds: Double(monotonicNanos() - started) / 1e9)
            return response
        }
        // A more specific route under another method shadows this one, as in Spring.
        var request = request
        for (segment, value) in zip(route.segments, request.pathSegments) {
            if case .variable(let name) = segment { request.pathParameters[name] = value }
        }
        let response = route.handler(request)
        let stats = route.stats
        guard let deferred = response.deferred else {
            stats.record(status: response.status, seconds: Double(monotonicNanos() - started) / 1e9)
            return response
        }
        // Counted when the answer is sent, with the time it took.
        return .later { answer in
            deferred.start { final in
                stats.record(status: final.status, seconds: Double(monotonicNanos() - started) / 1e9)
                answer(final)
            }
        }
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

/// Requests one route answered, by status, and how long its handler took.
public final class RouteStatistics: Sendable {
    public let method: String
    public let pattern: String
    /// Statuses counted one by one; any other is counted under its class (`2xx`…).
    public static let statuses = [200, 201, 204, 206, 304, 400, 401, 403, 404, 405, 409, 412, 413, 415, 422, 429, 500, 503]
    static let classes = ["1xx", "2xx", "3xx", "4xx", "5xx"]
    private let counts = AtomicCounters(statuses.count + classes.count)
    public let seconds = Histogram.latency()

    init(method: String, pattern: String) {
        self.method = method
        self.pattern = pattern
    }

    func record(status: Int, seconds elapsed: Double) {
        if let i = Self.statuses.firstIndex(of: status) {
            counts.add(i)
        } else {
            counts.add(Self.statuses.count + min(4, max(0, status / 100 - 1)))
        }
        seconds.observe(elapsed)
    }

    /// (status label, requests) for every status seen.
    public var byStatus: [(String, Int)] {
        var out: [(String, Int)] = []
        for (i, s) in Self.statuses.enumerated() where counts.value(i) > 0 { out.append((String(s), counts.value(i))) }
        for (i, c) in Self.classes.enumerated() where counts.value(Self.statuses.count + i) > 0 {
            out.append((c, counts.value(Self.statuses.count + i)))
        }
        return out
    }
}

/// Every route's statistics, in registration order, and those of requests no route took.
public final class RouterStatistics: Sendable {
    private let registered = Mutex<[RouteStatistics]>([])
    public let unmatched = RouteStatistics(method: "ANY", pattern: "unmatched")

    func register(_ stats: RouteStatistics) { registered.withLock { $0.append(stats) } }

    public var routes: [RouteStatistics] { registered.withLock { $0 } }
}
