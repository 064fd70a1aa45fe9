import BatonEngine
import BatonHTTP
import BatonSupport

/// `/api/metadata/...`: task and workflow definitions.
enum MetadataRoutes {
    static func register(on router: inout Router, _ metadata: MetadataService) {
        let h = API.handler

        // Workflow definitions
        router.add("POST", "/api/metadata/workflow", h { req in
            try metadata.registerWorkflowDef(try req.jsonBody(), overwrite: try req.queryBool("overwrite", default: false))
            return .ok
        })
        router.add("PUT", "/api/metadata/workflow", h { req in
            let names = try metadata.updateWorkflowDefs(try req.jsonBody())
            return .json(["bulkErrorResults": [:], "bulkSuccessfulResults": .array(names.map(JSONValue.string))])
        })
        router.add("POST", "/api/metadata/workflow/validate", h { req in
            _ = try metadata.validatedWorkflowDef(try req.jsonBody(), path: "validateWorkflowDef.arg0")
            return .ok
        })
        router.add("GET", "/api/metadata/workflow", h { _ in
            .json(.array(try metadata.allWorkflowDefs().map { .object($0.json) }))
        })
        router.add("GET", "/api/metadata/workflow/latest-versions", h { _ in
            .json(.array(try metadata.latestWorkflowDefs().map { .object($0.json) }))
        })
        router.add("GET", "/api/metadata/workflow/names", h { _ in
            .json(.array(try metadata.workflowNames().map(JSONValue.string)))
        })
        router.add("GET", "/api/metadata/workflow/names-and-versions", h { _ in
            var out = JSONObject()
            for (name, versions) in try metadata.workflowVersionsByName() {
                out[name] = .array(versions.map { summary($0, includeUpdateTime: true) })
            }
            return .json(.object(out))
        })
        router.add("GET", "/api/metadata/workflow/{name}/versions", h { req in
            .json(.array(try metadata.workflowVersions(name: req.pathParameter("name")).map { summary($0, includeUpdateTime: false) }))
        })
        router.add("GET", "/api/metadata/workflow/{name}", h { req in
            let def = try metadata.workflowDef(name: req.pathParameter("name"), version: try req.queryInt("version"))
            return .json(.object(def.json))
        })
        router.add("DELETE", "/api/metadata/workflow/{name}/{version}", h { req in
            try metadata.deleteWorkflowDef(name: req.pathParameter("name"), version: try req.pathInt("version"))
            return .ok
        })

        // Task definitions
        router.add("POST", "/api/metadata/taskdefs", h { req in
            try metadata.registerTaskDefs(try req.jsonBody())
            return .ok
        })
        router.add("PUT", "/api/metadata/taskdefs", h { req in
            try metadata.updateTaskDef(try req.jsonBody())
            return .ok
        })
        router.add("GET", "/api/metadata/taskdefs", h { _ in
            .json(.array(try metadata.allTaskDefs().map { .object($0.json) }))
        })
        router.add("GET", "/api/metadata/taskdefs/{tasktype}", h { req in
            .json(.object(try metadata.taskDef(named: req.pathParameter("tasktype")).json))
        })
        router.add("DELETE", "/api/metadata/taskdefs/{tasktype}", h { req in
            try metadata.deleteTaskDef(named: req.pathParameter("tasktype"))
            return .ok
        })
    }

    private static func summary(_ s: WorkflowDefSummary, includeUpdateTime: Bool) -> JSONValue {
        var o: JSONObject = ["name": .string(s.name), "version": .int(Int64(s.version)), "createTime": .int(s.createTime)]
        if includeUpdateTime { o["updateTime"] = .int(s.updateTime) }
        return .object(o)
    }
}
