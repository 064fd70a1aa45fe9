import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/scheduler`: OSS's `SchedulerResource` and `SchedulerBulkResource`, plus the tag routes
/// conductor-python's scheduler client calls (Orkes' `/schedules/{name}/tags`).
enum SchedulerRoutes {
    static func register(on router: inout Router, _ scheduler: SchedulerService) {
        let h = API.handler
        let name: @Sendable (HTTPRequest) -> String = { $0.pathParameter("name") }

        router.add("POST", "/api/scheduler/schedules", h { req in .json(.object(try scheduler.save(try req.jsonBody()))) })
        router.add("GET", "/api/scheduler/schedules", h { req in
            .json(.array(try scheduler.schedules(workflowName: req.queryValue("workflowName")).map(JSONValue.object)))
        })
        router.add("GET", "/api/scheduler/schedules/search", h { req in
            let pausedText = req.queryValue("paused")
            let found = try scheduler.search(workflowName: req.queryValue("workflowName"), scheduleName: req.queryValue("scheduleName"),
                                             paused: pausedText == nil ? nil : try req.queryBool("paused", default: false),
                                             start: try req.queryInt("start") ?? 0, size: try req.queryInt("size") ?? 100)
            return .json(["totalHits": .int(Int64(found.total)), "results": .array(found.results.map(JSONValue.object))])
        })
        router.add("GET", "/api/scheduler/schedules/{name}", h { req in .json(.object(try scheduler.schedule(named: name(req)))) })
        router.add("DELETE", "/api/scheduler/schedules/{name}", h { req in try scheduler.delete(name(req)); return .ok })

        // OSS maps these PUT, Orkes GET; conductor-python tries PUT and falls back to GET on 405,
        // so both verbs answer.
        for method in ["PUT", "GET"] {
            router.add(method, "/api/scheduler/schedules/{name}/pause", h { req in
                try scheduler.pause(name(req), reason: req.queryValue("reason"))
                return .ok
            })
            router.add(method, "/api/scheduler/schedules/{name}/resume", h { req in try scheduler.resume(name(req)); return .ok })
        }

        router.add("GET", "/api/scheduler/schedules/{name}/tags", h { req in .json(.array(try scheduler.tags(of: name(req)))) })
        router.add("PUT", "/api/scheduler/schedules/{name}/tags", h { req in
            try scheduler.addTags(try tags(req), to: name(req))
            return .ok
        })
        router.add("DELETE", "/api/scheduler/schedules/{name}/tags", h { req in
            try scheduler.removeTags(try tags(req), from: name(req))
            return .ok
        })

        for (action, pause) in [("pause", true), ("resume", false)] {
            router.add("PUT", "/api/scheduler/bulk/\(action)", h { req in
                let result = try scheduler.bulk(pause: pause, names: try names(req))
                var errors = JSONObject()
                for (n, message) in result.failed { errors[n] = .string(message) }
                return .json(["bulkErrorResults": .object(errors), "bulkSuccessfulResults": .array(result.succeeded.map(JSONValue.string))])
            })
            router.add("GET", "/api/scheduler/admin/\(action)", h { _ in
                try scheduler.setAllPaused(pause)
                return .json(["status": "done"])
            })
        }
        // OSS re-sends fire records its queue lost; Baton records a fire in the commit that makes it,
        // so there is never one waiting.
        router.add("GET", "/api/scheduler/admin/requeue", h { _ in .json(["recordIds.size": 0, "sampleIds": []]) })

        router.add("GET", "/api/scheduler/nextFewSchedules", h { req in
            guard let cron = req.query["cronExpression"] else {
                throw APIError.badRequest("Required request parameter 'cronExpression' for method parameter type String is not present")
            }
            let times = try scheduler.nextFew(cronExpression: cron, start: try req.queryInt64("scheduleStartTime"),
                                              end: try req.queryInt64("scheduleEndTime"), limit: try req.queryInt("limit") ?? 5)
            return .json(.array(times.map { .int($0) }))
        })
        router.add("GET", "/api/scheduler/search/executions", h { req in
            let query = try ScheduleExecutionQuery(query: req.queryValue("query"), sort: req.queryValue("sort"),
                                                   start: try req.queryInt("start") ?? 0, size: try req.queryInt("size") ?? 100)
            let found = try scheduler.executions(query)
            return .json(["totalHits": .int(Int64(found.total)), "results": .array(found.executions.map { .object($0.json) })])
        })
    }

    /// A JSON array of schedule names.
    static func names(_ req: HTTPRequest) throws -> [String] {
        guard case .array(let items) = try req.jsonBody() else { throw APIError.badRequest("expected a JSON array of schedule names") }
        return try items.map { item in
            guard case .string(let s) = item else { throw APIError.badRequest("schedule names must be strings") }
            return s
        }
    }

    /// A JSON array of tags, each `{"key":…,"value":…}` (`type` defaults to METADATA).
    static func tags(_ req: HTTPRequest) throws -> [JSONValue] {
        guard case .array(let items) = try req.jsonBody() else { throw APIError.badRequest("expected a JSON array of tags") }
        return try items.map { item in
            guard case .object(var tag) = item, case .string(let key)? = tag["key"], !key.isEmpty else {
                throw APIError.badRequest("each tag must be an object with a non-empty key")
            }
            if tag["type"] == nil || tag["type"] == .null { tag["type"] = "METADATA" }
            return .object(tag)
        }
    }
}
