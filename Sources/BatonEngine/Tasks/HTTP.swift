import BatonSupport

/// HTTP: sends the request its input describes (`http_request`, or the request fields themselves) off
/// the engine thread; a 2xx answer completes it (or leaves it IN_PROGRESS with `asyncComplete`),
/// anything else fails it with the status and body in the reason and the response in the output.
struct HTTP: TaskBehavior {
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        let p = node.inputParameters
        if p["http_request"] == nil && p["uri"] == nil && p["method"] == nil && context.taskDef?.inputTemplate["http_request"] == nil {
            return [Validation.required("inputParameters.http_request or inputParameters.uri", node)]
        }
        return []
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .http, status: .scheduled, request, ctx)])
    }

    func launch(_ task: TaskModel) -> Effect? { .sendHTTP(taskId: task.taskId) }
    func isAsyncComplete(_ task: TaskModel) -> Bool { task.workflowTask.asyncComplete }

    /// A call that was out when the process died is sent again.
    func resend(_ task: TaskModel) -> Effect? {
        task.status == .inProgress && task.outputData["response"] == nil ? .sendHTTP(taskId: task.taskId) : nil
    }

    // MARK: In the engine

    /// Hands a SCHEDULED task's request to the sender (the task goes IN_PROGRESS), or resends the call
    /// of an IN_PROGRESS one that has no answer and no call out.
    static func send(taskId: String, of workflowId: String, in changes: ChangeSet) throws(EngineError) {
        guard var wf = changes.active(workflowId), let i = wf.index(ofTask: taskId) else { return }
        let task = wf.tasks[i]
        switch task.status {
        case .scheduled:
            switch HTTPTaskMapping.call(from: task.inputData) {
            case .failure(let e):
                try changes.update(workflowId) { wf throws(EngineError) in
                    wf.tasks[i].status = .failed
                    wf.tasks[i].reasonForIncompletion = e.message
                }
            case .success(let call):
                wf.tasks[i].status = .inProgress
                wf.tasks[i].startTime = changes.now
                wf.tasks[i].workerId = changes.env.serverId
                changes.save(wf)
                changes.send(.http(workflowId: workflowId, taskId: taskId, call))
            }
        case .inProgress where task.outputData["response"] == nil && !changes.state.inFlightHTTP.contains(taskId):
            if case .success(let call) = HTTPTaskMapping.call(from: task.inputData) {
                changes.send(.http(workflowId: workflowId, taskId: taskId, call))
            }
        default:
            return
        }
    }

    /// The answer (or transport error) of a call.
    static func finish(taskId: String, of workflowId: String, result: Result<HTTPCallResult, HTTPTaskError>, in changes: ChangeSet) throws(EngineError) {
        changes.answered(httpTask: taskId)
        guard let wf = changes.active(workflowId), let i = wf.index(ofTask: taskId), wf.tasks[i].status == .inProgress,
              wf.tasks[i].outputData["response"] == nil else { return }
        try changes.update(workflowId) { wf throws(EngineError) in
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
