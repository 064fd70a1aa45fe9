import BatonAPI
import BatonEngine
import BatonHTTP
import BatonStore
import BatonSupport
import BatonTestSupport
import Testing

/// The route table driven in-process, with a real store underneath.
@Suite struct MetadataRoutesTests {
    let tmp = TemporaryDatabase()
    let store: SQLiteStore
    let router: Router

    init() throws {
        let clock = ManualClock()
        store = try SQLiteStore(path: tmp.path, now: clock.now)
        router = API.router(Services(metadata: MetadataService(store: store, clock: clock), version: "test"))
    }

    private func call(_ method: String, _ target: String, _ body: String = "") throws -> (status: Int, json: JSONValue?) {
        let response = router.handle(try HTTPRequest(method: method, target: target, body: Array(body.utf8)))
        return (response.status, response.body.isEmpty ? nil : try JSONParser.parse(response.body))
    }

    @Test func healthAnswersConductorsShape() throws {
        let r = try call("GET", "/health")
        #expect(r.status == 200)
        #expect(r.json == ["healthResults": [], "suppressedHealthResults": [], "healthy": true])
    }

    @Test func registersReadsAndDeletesAWorkflowDefinition() throws {
        let def = #"{"name":"wf one","tasks":[{"name":"a","taskReferenceName":"a"}]}"#
        #expect(try call("POST", "/api/metadata/workflow?overwrite=False", def).status == 200)
        let conflict = try call("POST", "/api/metadata/workflow", def)
        #expect(conflict.status == 409)
        #expect(conflict.json?["message"] == "Workflow with wf one.1 already exists!")
        #expect(try call("POST", "/api/metadata/workflow?overwrite=True", def).status == 200)
        let got = try call("GET", "/api/metadata/workflow/wf%20one?version=1")
        #expect(got.json?["name"] == "wf one")
        #expect(try call("GET", "/api/metadata/workflow/names").json == ["wf one"])
        #expect(try call("DELETE", "/api/metadata/workflow/wf%20one/1", "{}").status == 200)
        let missing = try call("GET", "/api/metadata/workflow/wf%20one")
        #expect(missing.status == 404)
        #expect(missing.json?["message"] == "No such workflow found by name: wf one, version: null")
        #expect(missing.json?["retryable"] == false)
    }

    @Test func bulkUpdateAnswersABulkResponse() throws {
        let r = try call("PUT", "/api/metadata/workflow?overwrite=True", #"[{"name":"b1","tasks":[{"name":"a","taskReferenceName":"a"}]}]"#)
        #expect(r.status == 200)
        #expect(r.json == ["bulkErrorResults": [:], "bulkSuccessfulResults": ["b1"]])
    }

    @Test func validationFailuresCarryValidationErrors() throws {
        let r = try call("POST", "/api/metadata/workflow", #"{"tasks":[{"name":"a","taskReferenceName":"a"}]}"#)
        #expect(r.status == 400)
        #expect(r.json?["message"] == "Validation failed, check below errors for detail.")
        #expect(r.json?["validationErrors"]?.arrayValue?.first?["path"] == "registerWorkflowDef.arg0.name")
    }

    @Test(arguments: [
        ("POST", "/api/metadata/taskdefs", "not json", 400),
        ("POST", "/api/metadata/taskdefs", "", 400),
        ("POST", "/api/metadata/taskdefs", "{}", 400),
        ("POST", "/api/metadata/taskdefs", "[]", 400),
        ("POST", "/api/metadata/workflow?overwrite=maybe", #"{"name":"x","tasks":[{"name":"a","taskReferenceName":"a"}]}"#, 400),
        ("GET", "/api/metadata/workflow/x?version=abc", "", 400),
        ("DELETE", "/api/metadata/workflow/x/notanumber", "", 400),
        ("PUT", "/api/metadata/taskdefs", #"{"name":"absent"}"#, 404),
        ("DELETE", "/api/metadata/taskdefs/absent", "{}", 404),
        ("GET", "/api/nowhere", "", 404),
        ("PATCH", "/api/metadata/taskdefs", "", 405),
    ])
    func badInputGetsAConductorError(_ method: String, _ target: String, _ body: String, _ status: Int) throws {
        let r = try call(method, target, body)
        #expect(r.status == status)
        #expect(r.json?["status"] == .int(Int64(status)))
        #expect(r.json?["message"]?.stringValue?.isEmpty == false)
    }

    @Test func taskDefinitionsUpsertOnPostAndNeedToExistForPut() throws {
        #expect(try call("POST", "/api/metadata/taskdefs", #"[{"name":"t","retryCount":0}]"#).status == 200)
        #expect(try call("POST", "/api/metadata/taskdefs", #"[{"name":"t","retryCount":1}]"#).status == 200)
        #expect(try call("PUT", "/api/metadata/taskdefs", #"{"name":"t","retryCount":2}"#).status == 200)
        #expect(try call("GET", "/api/metadata/taskdefs/t").json?["retryCount"] == 2)
        #expect(try call("GET", "/api/metadata/taskdefs").json?.arrayValue?.count == 1)
    }
}
