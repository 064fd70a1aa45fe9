import BatonEngine
import BatonHTTP
import BatonSupport
import Foundation

/// Baton's own admin routes for tests: the manual clock, reset and snapshots. Conductor has none of
/// them; they live under `/api/admin` beside OSS's admin routes and answer in Conductor's error shape.
enum TestingRoutes {
    static func register(on router: inout Router, _ testing: TestControls) {
        let h = API.handler

        router.add("GET", "/api/admin/clock", h { _ in .json(.object(clockState(testing))) })

        router.add("POST", "/api/admin/clock/advance", h { req in
            let millis = try advanceMillis(req)
            let advance = try testing.advance(byMillis: millis)
            var o = clockState(testing)
            o["from"] = .int(advance.from)
            o["advancedMillis"] = .int(advance.to - advance.from)
            o["timersFired"] = .int(Int64(advance.timersFired))
            o["stops"] = .int(Int64(advance.stops))
            return .json(.object(o))
        })

        router.add("POST", "/api/admin/reset", h { req in
            let inBody = try StateRoutes.objectBody(req, what: "the reset options")["definitions"]?.boolValue ?? false
            let definitions = try req.queryBool("definitions", default: false) || inBody
            let started = monotonicNanos()
            try testing.reset(definitions: definitions)
            return .json(.object([
                "removed": .string(definitions ? "executions and definitions" : "executions"),
                "tookMillis": .double((Double(monotonicNanos() - started) / 1e4).rounded() / 100),
            ]))
        })

        router.add("POST", "/api/admin/snapshot", h { req in
            let path = try req.queryValue("path") ?? StateRoutes.objectBody(req, what: "the snapshot options")["path"]?.stringValue
            if let path, !path.isEmpty {
                let bytes = try testing.snapshot(to: path)
                return .json(.object(["path": .string(path), "bytes": .int(bytes)]))
            }
            // No path: the copy itself is the answer (a file the caller saves and later serves with --db).
            let temporary = NSTemporaryDirectory() + "baton-snapshot-\(UUID().uuidString).db"
            defer { unlink(temporary) }
            _ = try testing.snapshot(to: temporary)
            guard let data = FileManager.default.contents(atPath: temporary) else {
                throw EngineError.storage(message: "cannot read the snapshot back from \(temporary)", retryable: false)
            }
            return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/vnd.sqlite3"),
                                                                   ("Content-Disposition", "attachment; filename=\"baton-snapshot.db\"")]),
                                body: Array(data))
        })
    }

    private static func clockState(_ testing: TestControls) -> JSONObject {
        let now = testing.now
        let iso = ISO8601DateFormatter()
        iso.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return [
            "mode": .string(testing.manualClock == nil ? "wall" : "manual"),
            "now": .int(now),
            "nowIso": .string(iso.string(from: Date(timeIntervalSince1970: Double(now) / 1000))),
        ]
    }

    /// How far to move, from exactly one of `millis`, `seconds` (may be fractional) or `duration`
    /// (`90s`, `10m`, `1h 30m`, `2 days`), in the query or a JSON body.
    private static func advanceMillis(_ req: HTTPRequest) throws -> Int64 {
        let body = try StateRoutes.objectBody(req, what: "how far to advance")
        func given(_ name: String) -> JSONValue? {
            // Query text counts as a number when it reads as one, as in a JSON body.
            guard let q = req.queryValue(name) else { return body[name] }
            return Int64(q).map(JSONValue.int) ?? Double(q).map(JSONValue.double) ?? .string(q)
        }
        let provided = ["millis", "seconds", "duration"].filter { given($0) != nil }
        guard provided.count == 1 else {
            throw APIError.badRequest(provided.isEmpty
                ? "Say how far to advance the clock: millis, seconds or duration (e.g. \"1h 30m\")"
                : "Give only one of millis, seconds and duration (got \(provided.joined(separator: ", ")))")
        }
        let value = given(provided[0])!
        switch provided[0] {
        case "millis":
            guard let ms = value.int64Value else { throw APIError.badRequest("millis must be a whole number of milliseconds (got \(value))") }
            return ms
        case "seconds":
            guard let s = value.doubleValue, s.isFinite, abs(s) < 1e13 else { throw APIError.badRequest("seconds must be a number (got \(value))") }
            return Int64((s * 1000).rounded())
        default:
            guard let text = value.stringValue, let ms = TestControls.millis(ofDuration: text) else {
                throw APIError.badRequest("duration must read like 30s, 10m, 1h 30m or 2 days (got \(value))")
            }
            return ms
        }
    }
}
