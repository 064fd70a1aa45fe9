import BatonHTTP
import BatonSupport
import Foundation

/// `baton export --to URL` and `baton import --from URL`: every task definition, workflow definition
/// (all versions), event handler and workflow schedule of one Conductor API copied into another through the API itself,
/// so the other side can be a Conductor cluster as well as a Baton. What the target already has in the
/// same form is left alone; `--dry-run` lists what would change and changes nothing.
struct DefinitionCopy {
    struct Plan: Equatable {
        /// "export" or "import" (for messages).
        var verb: String
        var from: String
        var to: String
        var dryRun: Bool
    }

    let plan: Plan
    private let from: String
    private let to: String
    /// Extra headers for both sides: `X-Authorization` from `CONDUCTOR_AUTH_TOKEN` for servers that
    /// want a token.
    private let headers: [(String, String)]

    init(plan: Plan, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.plan = plan
        from = Self.apiBase(plan.from)
        to = Self.apiBase(plan.to)
        var h = [("Accept", "application/json")]
        if let token = environment["CONDUCTOR_AUTH_TOKEN"], !token.isEmpty { h.append(("X-Authorization", token)) }
        headers = h
    }

    /// `http://host:8080`, `http://host:8080/` and `http://host:8080/api` all mean the API at `/api`.
    static func apiBase(_ url: String) -> String {
        var s = url
        while s.hasSuffix("/") { s.removeLast() }
        return s.hasSuffix("/api") ? s : s + "/api"
    }

    /// One definition and what happens to it.
    struct Item {
        enum Change: String { case create, update, unchanged }
        var kind: String
        var name: String
        var change: Change
        var json: JSONValue
    }

    /// Compares, then (unless a dry run) writes; prints one line per change and a summary. Returns
    /// whether every write succeeded.
    func run(print say: (String) -> Void) throws -> Bool {
        let taskDefs = diff(kind: "task definition", try list(from, "/metadata/taskdefs"), try list(to, "/metadata/taskdefs")) { name($0) }
        let workflowDefs = diff(kind: "workflow definition", try list(from, "/metadata/workflow"), try list(to, "/metadata/workflow")) {
            "\(name($0)) version \($0.objectValue?["version"]?.int64Value ?? 1)"
        }
        let handlers = diff(kind: "event handler", try list(from, "/event"), try list(to, "/event")) { name($0) }
        // A server without the scheduler (older Conductor) has no schedules to give or compare.
        let schedules = diff(kind: "schedule", try list(from, "/scheduler/schedules", missingIsEmpty: true),
                             try list(to, "/scheduler/schedules", missingIsEmpty: true)) { name($0) }
        let all = taskDefs + workflowDefs + handlers + schedules
        for item in all where item.change != .unchanged {
            say("\(plan.dryRun ? "would \(item.change.rawValue)" : item.change.rawValue) \(item.kind) \(item.name)")
        }
        let creates = all.filter { $0.change == .create }.count
        let updates = all.filter { $0.change == .update }.count
        let unchanged = all.count - creates - updates
        if plan.dryRun {
            say("dry run: \(creates) to create, \(updates) to update, \(unchanged) unchanged in \(to); nothing written")
            return true
        }
        var ok = true
        func write(_ method: String, _ path: String, _ body: JSONValue, _ what: String) {
            do { try send(method, to + path, body) } catch {
                ok = false
                say("failed to write \(what): \(error)")
            }
        }
        // Task definitions first: a workflow definition's tasks are checked against them.
        let newTaskDefs = taskDefs.filter { $0.change == .create }.map(\.json)
        if !newTaskDefs.isEmpty { write("POST", "/metadata/taskdefs", .array(newTaskDefs), "\(newTaskDefs.count) task definitions") }
        for item in taskDefs where item.change == .update { write("PUT", "/metadata/taskdefs", item.json, "task definition \(item.name)") }
        // All versions in one createOrUpdate: a sub-workflow may name a workflow further down the list.
        let changedWorkflows = workflowDefs.filter { $0.change != .unchanged }.map(\.json)
        if !changedWorkflows.isEmpty { write("PUT", "/metadata/workflow", .array(changedWorkflows), "\(changedWorkflows.count) workflow definitions") }
        for item in handlers where item.change != .unchanged {
            write(item.change == .create ? "POST" : "PUT", "/event", item.json, "event handler \(item.name)")
        }
        // Last: a schedule names a workflow definition. Saving creates or updates.
        for item in schedules where item.change != .unchanged {
            write("POST", "/scheduler/schedules", item.json, "schedule \(item.name)")
        }
        say("\(plan.verb): \(creates) created, \(updates) updated, \(unchanged) unchanged in \(to)\(ok ? "" : "; some writes failed")")
        return ok
    }

    private func name(_ v: JSONValue) -> String { v.objectValue?["name"]?.stringValue ?? "" }

    private func diff(kind: String, _ source: [JSONValue], _ target: [JSONValue], key: (JSONValue) -> String) -> [Item] {
        var existing: [String: String] = [:]
        for t in target { existing[key(t)] = Self.comparable(t) }
        return source.map { s in
            let k = key(s)
            let change: Item.Change = existing[k] == nil ? .create : existing[k] == Self.comparable(s) ? .unchanged : .update
            return Item(kind: kind, name: k, change: change, json: s)
        }
    }

    /// The fields a server stamps on every write (times, authors) say nothing about the definition,
    /// nor does a schedule's next run.
    static let stampedFields: Set<String> = ["createTime", "updateTime", "updatedTime", "createdBy", "updatedBy", "nextRunTime"]

    /// A definition as text with keys sorted and stamps left out, to compare two servers' copies.
    static func comparable(_ v: JSONValue) -> String {
        func normal(_ v: JSONValue, top: Bool) -> JSONValue {
            switch v {
            case .object(let o):
                let kept = o.filter { !(top && stampedFields.contains($0.key)) }.sorted { $0.key < $1.key }
                return .object(JSONObject(kept.map { ($0.key, normal($0.value, top: false)) }))
            case .array(let a): return .array(a.map { normal($0, top: false) })
            default: return v
            }
        }
        return JSONWriter.string(normal(v, top: true))
    }

    // MARK: HTTP

    private func list(_ base: String, _ path: String, missingIsEmpty: Bool = false) throws -> [JSONValue] {
        let body: [UInt8]
        do { body = try send("GET", base + path, nil) } catch is NotFound where missingIsEmpty { return [] }
        guard case .array(let items) = try JSONParser.parse(String(decoding: body, as: UTF8.self)) else {
            throw UsageError(description: "GET \(base + path): expected a JSON array")
        }
        return items
    }

    @discardableResult
    private func send(_ method: String, _ url: String, _ body: JSONValue?) throws -> [UInt8] {
        var h = headers
        if body != nil { h.append(("Content-Type", "application/json")) }
        let bytes = body.map { Array(JSONWriter.string($0).utf8) }
        let response: HTTPClient.Response
        if url.lowercased().hasPrefix("https://") {
            response = try CurlClient(extraCAFile: nil).send(method: method, url: url, headers: h, body: bytes,
                                                             connectTimeoutMillis: 10_000, readTimeoutMillis: 60_000)
        } else {
            response = try HTTPClient.send(method: method, url: url, headers: h, body: bytes, connectTimeoutMillis: 10_000, readTimeoutMillis: 60_000)
        }
        let answer = "\(method) \(url) answered \(response.status): \(String(decoding: response.body, as: UTF8.self))"
        if response.status == 404 { throw NotFound(description: answer) }
        guard (200..<300).contains(response.status) else { throw UsageError(description: answer) }
        return response.body
    }
}

/// A 404 from the other server (an API it does not have).
private struct NotFound: Error, CustomStringConvertible {
    let description: String
}
