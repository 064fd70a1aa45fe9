import BatonSupport

/// One outbound call of an HTTP task, and what came back.
public struct HTTPCall: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(String, String)]
    public var body: [UInt8]?
    public var connectTimeoutMillis: Int
    public var readTimeoutMillis: Int
}

public struct HTTPCallResult: Sendable {
    public var status: Int
    public var reasonPhrase: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    public init(status: Int, reasonPhrase: String, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.reasonPhrase = reasonPhrase
        self.headers = headers
        self.body = body
    }
}

/// Sends an HTTP task's request (the wiring supplies the client; the engine does no I/O itself).
public typealias HTTPSender = @Sendable (HTTPCall) -> Result<HTTPCallResult, HTTPTaskError>

public struct HTTPTaskError: Error, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// HTTP task input → request, and response → task outcome (system-tasks.md "HTTP").
enum HTTPTaskMapping {
    /// The request an HTTP task asks for, or the reason it cannot be sent.
    static func call(from input: JSONObject) -> Result<HTTPCall, HTTPTaskError> {
        let request = input["http_request"]?.objectValue ?? input
        guard let uri = request["uri"]?.stringValue, !uri.isEmpty else {
            return .failure(HTTPTaskError("Missing HTTP URI.  See documentation for HttpTask for required input parameters"))
        }
        guard let method = request["method"]?.stringValue?.uppercased(), !method.isEmpty else {
            return .failure(HTTPTaskError("No HTTP method specified"))
        }
        var headers: [(String, String)] = []
        for (k, v) in request["headers"]?.objectValue ?? JSONObject() where !v.isNull {
            headers.append((k, v.stringValue ?? JSONWriter.string(v)))
        }
        let accept: String
        switch request["accept"] {
        case .array(let list)?: accept = list.compactMap(\.stringValue).joined(separator: ", ")
        case .string(let s)?: accept = s
        default: accept = "application/json"
        }
        if !headers.contains(where: { $0.0.lowercased() == "accept" }) { headers.append(("Accept", accept)) }
        var body: [UInt8]?
        if let b = request["body"], !b.isNull {
            body = b.stringValue.map { Array($0.utf8) } ?? JSONWriter.bytes(b)
            let contentType = request["contentType"]?.stringValue ?? "application/json"
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) { headers.append(("Content-Type", contentType)) }
        }
        let connect = request["connectionTimeOut"]?.int64Value.map { Int($0) } ?? 3000
        let read = request["readTimeOut"]?.int64Value.map { Int($0) } ?? 3000
        return .success(HTTPCall(method: method, uri: uri, headers: headers, body: body,
                                 connectTimeoutMillis: max(1, connect), readTimeoutMillis: max(1, read)))
    }

    /// `response`: status, reason, headers (name → [values]) and the body (JSON when it parses).
    static func response(_ r: HTTPCallResult) -> JSONObject {
        var headers = JSONObject()
        for (n, v) in r.headers {
            var list = headers[n]?.arrayValue ?? []
            list.append(.string(v))
            headers[n] = .array(list)
        }
        let body: JSONValue
        if let parsed = try? JSONParser.parse(r.body), parsed.objectValue != nil || parsed.arrayValue != nil {
            body = parsed
        } else if let parsed = try? JSONParser.parse(r.body), case .int(let i) = parsed {
            body = .double(Double(i))
        } else if let parsed = try? JSONParser.parse(r.body), case .double = parsed {
            body = parsed
        } else {
            body = .string(String(decoding: r.body, as: UTF8.self))
        }
        return ["statusCode": .int(Int64(r.status)), "reasonPhrase": .string(r.reasonPhrase), "headers": .object(headers), "body": body]
    }
}

extension EngineCore {
    /// Sends a SCHEDULED HTTP task's request off the engine thread; the outcome comes back as a command.
    func launchHTTP(_ task: TaskModel, of workflowId: String) {
        guard let old = workflows[workflowId], let i = old.index(ofTask: task.taskId) else { return }
        switch HTTPTaskMapping.call(from: task.inputData) {
        case .failure(let e):
            update(workflowId) { wf in
                wf.tasks[i].status = .failed
                wf.tasks[i].reasonForIncompletion = e.message
            }
        case .success(let call):
            var wf = old
            wf.tasks[i].status = .inProgress
            wf.tasks[i].startTime = now
            wf.tasks[i].workerId = serverId
            save(wf, old: old)
            inFlightHTTP.insert(task.taskId)
            dispatchHTTP?(call, workflowId, task.taskId)
        }
    }

    /// The response (or transport error) of an HTTP task: 2xx completes it (or leaves it IN_PROGRESS
    /// for `asyncComplete`), anything else fails it with the status and body in the reason.
    func finishHTTP(workflowId: String, taskId: String, result: Result<HTTPCallResult, HTTPTaskError>) {
        inFlightHTTP.remove(taskId)
        guard let old = workflows[workflowId], let i = old.index(ofTask: taskId), old.tasks[i].status == .inProgress,
              old.tasks[i].outputData["response"] == nil else { return }
        update(workflowId) { wf in
            var t = wf.tasks[i]
            switch result {
            case .success(let r):
                t.outputData = ["response": .object(HTTPTaskMapping.response(r))]
                if (200..<300).contains(r.status) {
                    t.status = t.workflowTask.asyncComplete ? .inProgress : .completed
                } else {
                    t.status = .failed
                    t.reasonForIncompletion = "Failed to invoke HTTP task due to: \(r.status) \(r.reasonPhrase): \"\(String(decoding: r.body.prefix(2000), as: UTF8.self))\""
                }
            case .failure(let e):
                t.status = .failed
                t.reasonForIncompletion = "Failed to invoke HTTP task due to: \(e.message)"
                t.outputData = ["response": .string(e.message)]
            }
            wf.tasks[i] = t
        }
    }
}
