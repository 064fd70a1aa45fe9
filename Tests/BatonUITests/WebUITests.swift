import BatonAPI
import BatonEngine
import BatonHTTP
import BatonStore
import BatonSupport
import BatonTestSupport
import Testing
@testable import BatonUI

/// The pages against a real engine and store: what each must show, escaping of every user value,
/// and the diagram's shapes.
@Suite struct WebUITests {
    final class Server {
        let tmp = TemporaryDatabase()
        let loop: BatchLoop
        let router: Router
        let services: Services

        init() throws {
            let clock = ManualClock(1_700_000_000_000)
            let sqlite = try SQLiteStore(path: tmp.path, now: clock.now)
            let catalog = DefinitionCatalog(store: sqlite)
            loop = BatchLoop(environment: EngineEnvironment(store: sqlite, definitions: catalog, events: sqlite, scripts: ScriptEngines(),
                                                            ids: SequentialIDs(), clock: clock))
            try loop.start()
            services = Services(metadata: MetadataService(store: catalog, clock: clock), executions: WorkflowService(loop: loop),
                                events: EventService(store: sqlite), version: "test", scheduler: SchedulerService(loop: loop),
                                observability: Observability(connections: ConnectionStatistics(), databaseBytes: { 4096 }, processStartTime: 0))
            var router = API.router(services)
            WebUI.register(on: &router, services)
            self.router = router
        }
        deinit { loop.stop() }

        func get(_ target: String) throws -> (status: Int, html: String, response: HTTPResponse) {
            let r = router.handle(try HTTPRequest(method: "GET", target: target))
            return (r.status, String(decoding: r.body, as: UTF8.self), r)
        }
    }

    static let shapes = #"""
    {"name": "ui_shapes", "version": 1, "ownerEmail": "t@example.com", "tasks": [
      {"name": "fork", "taskReferenceName": "fork_ref", "type": "FORK_JOIN", "forkTasks": [
        [{"name": "left", "taskReferenceName": "left_ref", "type": "SET_VARIABLE", "inputParameters": {"a": 1}}],
        [{"name": "right", "taskReferenceName": "right_ref", "type": "SET_VARIABLE", "inputParameters": {"b": 2}}]]},
      {"name": "join", "taskReferenceName": "join_ref", "type": "JOIN", "joinOn": ["left_ref", "right_ref"]},
      {"name": "pick", "taskReferenceName": "pick_ref", "type": "SWITCH", "evaluatorType": "value-param", "expression": "kind",
       "inputParameters": {"kind": "${workflow.input.kind}"},
       "decisionCases": {"a": [{"name": "in_a", "taskReferenceName": "in_a_ref", "type": "SET_VARIABLE", "inputParameters": {"c": 3}}],
                         "b": [{"name": "in_b", "taskReferenceName": "in_b_ref", "type": "SET_VARIABLE", "inputParameters": {"d": 4}}]}},
      {"name": "hold", "taskReferenceName": "hold_ref", "type": "WAIT"}]}
    """#

    @Test func markupEscapesEveryInterpolatedString() {
        let hostile = "<script>alert('x')</script>&\""
        let m: Markup = "<p title=\"\(hostile)\">\(hostile)</p>"
        #expect(m.html == "<p title=\"&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</p>")
        let link: Markup = "<a href=\"/execution/\(url: "a b/\"c")\">x</a>"
        #expect(link.html == "<a href=\"/execution/a%20b%2F%22c\">x</a>")
    }

    @Test func timesAndDurationsReadAsPeopleWriteThem() {
        #expect(Format.utc(1_700_000_000_123) == "2023-11-14 22:13:20.123")
        #expect(Format.duration(840) == "840 ms")
        #expect(Format.duration(4_250) == "4.2 s")
        #expect(Format.duration(192_000) == "3 m 12 s")
        #expect(Format.duration(7_380_000) == "2 h 3 m")
    }

    @Test func anExecutionPageShowsItsDiagramTasksAndActionsWithInputsEscaped() throws {
        let s = try Server()
        try s.services.metadata.registerWorkflowDef(try JSONParser.parse(Self.shapes), overwrite: true)
        var start = StartRequest(name: "ui_shapes", input: ["kind": "b", "note": "<script>window.__x=1</script>"])
        start.correlationId = "<img src=x onerror=alert(1)>"
        let id = try s.services.executions!.start(start)

        let page = try s.get("/execution/\(id)")
        #expect(page.status == 200)
        #expect(page.response.headers["Content-Type"] == "text/html; charset=utf-8")
        #expect(page.response.headers["Content-Security-Policy"]?.contains("script-src 'self'") == true)
        #expect(!page.html.contains("<script>window"))
        #expect(page.html.contains("&lt;script&gt;window.__x=1&lt;/script&gt;"))
        #expect(!page.html.contains("<img src=x"))
        // Both fork branches, both cases plus default, the case taken marked, the waiting task in progress.
        for ref in ["fork_ref", "left_ref", "right_ref", "join_ref", "pick_ref", "in_a_ref", "in_b_ref", "hold_ref"] {
            #expect(page.html.contains("data-ref=\"\(ref)\""), "diagram lacks \(ref)")
        }
        #expect(page.html.contains("<text class=\"case-label taken\""))
        #expect(page.html.contains(">b</text>"))
        #expect(page.html.contains("class=\"node st-in_progress\" data-ref=\"hold_ref\""))
        #expect(page.html.contains("class=\"node not-reached\" data-ref=\"in_a_ref\""))
        // Actions a running workflow allows, and the form completing its WAIT task.
        #expect(page.html.contains("data-api=\"/api/workflow/\(id)/pause\""))
        #expect(page.html.contains("data-api=\"/api/tasks/\(id)/hold_ref/{status}\""))
        #expect(!page.html.contains("/restart\""))
    }

    @Test func theExecutionsPageSearchesCountsAndPages() throws {
        let s = try Server()
        try s.services.metadata.registerWorkflowDef(try JSONParser.parse(Self.shapes), overwrite: true)
        var ids: [String] = []
        for i in 0..<3 { ids.append(try s.services.executions!.start(StartRequest(name: "ui_shapes", input: ["kind": .string("k\(i)")]))) }
        let all = try s.get("/executions?name=ui_shapes&size=2")
        #expect(all.status == 200)
        #expect(all.html.contains("<strong id=\"total\">3</strong>"))
        #expect(all.html.components(separatedBy: "name=\"sel\"").count - 1 == 2)
        #expect(all.html.contains("start=2"))
        let none = try s.get("/executions?status=COMPLETED")
        #expect(none.html.contains("<strong id=\"total\">0</strong>"))
        #expect(try s.get("/executions?size=abc").status == 400)
        #expect(try s.get("/executions?from=yesterday").status == 400)
    }

    @Test func missingThingsAreErrorPagesWithTheAPIStatus() throws {
        let s = try Server()
        let missing = try s.get("/execution/nope")
        #expect(missing.status == 404)
        #expect(missing.html.contains("nope"))
        #expect(try s.get("/definitions/workflow/none").status == 404)
        #expect(try s.get("/definitions/new/gadget").status == 404)
        #expect(try s.get("/").response.headers["Location"] == "/executions")
    }

    @Test func definitionQueueAndServerPagesRender() throws {
        let s = try Server()
        try s.services.metadata.registerWorkflowDef(try JSONParser.parse(Self.shapes), overwrite: true)
        try s.services.metadata.registerTaskDefs(try JSONParser.parse(#"[{"name": "encode", "ownerEmail": "t@example.com", "rateLimitPerFrequency": 5, "concurrentExecLimit": 2}]"#))
        let defs = try s.get("/definitions")
        #expect(defs.status == 200 && defs.html.contains("/definitions/workflow/ui_shapes") && defs.html.contains("/definitions/task/encode"))
        let one = try s.get("/definitions/workflow/ui_shapes?version=1")
        #expect(one.status == 200 && one.html.contains("class=\"node definition\" data-ref=\"left_ref\"") && one.html.contains("data-wrap=\"array\""))
        #expect(try s.get("/definitions/task/encode").html.contains("&quot;concurrentExecLimit&quot;: 2"))
        let queues = try s.get("/queues")
        #expect(queues.html.contains("data-queue=\"encode\"") && queues.html.contains("5 per 1 s"))
        let server = try s.get("/server")
        #expect(server.status == 200 && server.html.contains("4 KB") && server.html.contains("baton_workflows_active"))
        #expect(try s.get("/definitions/new/workflow").status == 200)
        #expect(try s.get("/ui/baton.js").response.headers["Content-Type"]?.hasPrefix("text/javascript") == true)
    }

    @Test func aLoopShowsItsBodyInAFrame() throws {
        let def = try WorkflowDef(json: try JSONParser.parse(#"""
            {"name": "loop", "version": 1, "tasks": [{"name": "l", "taskReferenceName": "loop_ref", "type": "DO_WHILE", "loopCondition": "false",
             "loopOver": [{"name": "body", "taskReferenceName": "body_ref", "type": "SET_VARIABLE"}]}]}
            """#))
        let svg = Diagram.svg(def).html
        #expect(svg.contains("class=\"loop-frame\""))
        #expect(svg.contains("data-ref=\"body_ref\""))
        #expect(svg.contains("↻ loop"))
    }

    @Test func aDynamicForkIsDrawnAsItExpanded() throws {
        let s = try Server()
        try s.services.metadata.registerWorkflowDef(try JSONParser.parse(#"""
            {"name": "ui_dynamic", "version": 1, "ownerEmail": "t@example.com", "tasks": [
              {"name": "fan", "taskReferenceName": "fan", "type": "FORK_JOIN_DYNAMIC", "dynamicForkTasksParam": "forks",
               "dynamicForkTasksInputParamName": "inputs", "inputParameters": {"forks": "${workflow.input.forks}", "inputs": "${workflow.input.inputs}"}},
              {"name": "gather", "taskReferenceName": "gather", "type": "JOIN"}]}
            """#), overwrite: true)
        let forks: JSONValue = [["name": "x", "taskReferenceName": "dyn_a", "type": "SET_VARIABLE"],
                                ["name": "y", "taskReferenceName": "dyn_b", "type": "SET_VARIABLE"]]
        let id = try s.services.executions!.start(StartRequest(name: "ui_dynamic", input: ["forks": forks, "inputs": ["dyn_a": [:], "dyn_b": [:]]]))
        let page = try s.get("/execution/\(id)").html
        #expect(page.contains("class=\"node st-completed\" data-ref=\"dyn_a\""))
        #expect(page.contains("class=\"node st-completed\" data-ref=\"dyn_b\""))
        // Before it runs, the definition's diagram has one placeholder box for the branches.
        #expect(try s.get("/definitions/workflow/ui_dynamic").html.contains("dynamic branches"))
    }
}
