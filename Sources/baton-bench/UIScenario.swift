import BatonSupport
import Foundation

/// Server-side page renders of the web UI with many stored executions: the executions list (first
/// page, filtered, free text) and one execution's page, for a one-task run and a 1,000-task run.
/// Prefills the store itself through the API.
struct UIScenario {
    let host: String
    let port: Int

    struct Figures {
        var prefilled: Int
        var prefillSeconds: Double
        /// Page → milliseconds of each GET, and the page's size in bytes.
        var pages: [(label: String, millis: [Double], bytes: Int)]
    }

    func run(executions count: Int, samples: Int) throws -> Figures {
        let suffix = IDs.uuid().prefix(8)
        let name = "bench_ui_\(suffix)", loop = "bench_ui_loop_\(suffix)"
        let c = try BenchConnection(host: host, port: port)
        func must(_ request: [UInt8], _ what: String) throws -> [UInt8] {
            let (status, body) = try c.roundTrip(request)
            guard (200..<300).contains(status) else { throw BenchError("\(what): HTTP \(status) \(String(decoding: body.prefix(300), as: UTF8.self))") }
            return body
        }
        // One task that finishes at once, so the fill is of ended executions as a real store mostly is.
        _ = try must(ExecutionScenarios.request("POST", "/api/metadata/workflow?overwrite=true", body: #"""
            {"name":"\#(name)","version":1,"tasks":[{"name":"note","taskReferenceName":"note","type":"SET_VARIABLE","inputParameters":{"seen":"${workflow.input.n}"}}]}
            """#), "register \(name)")
        _ = try must(ExecutionScenarios.request("POST", "/api/metadata/workflow?overwrite=true", body: #"""
            {"name":"\#(loop)","version":1,"tasks":[{"name":"loop","taskReferenceName":"loop","type":"DO_WHILE",
             "loopCondition":"if ($.loop['iteration'] < 999) { true; } else { false; }",
             "loopOver":[{"name":"step","taskReferenceName":"step","type":"SET_VARIABLE","inputParameters":{"i":"${loop.output.iteration}"}}]}]}
            """#), "register \(loop)")

        let payload = String(repeating: "x", count: 60)
        let prefillSeconds = try startMany(host: host, port: port, count: count) { n in
            ExecutionScenarios.request("POST", "/api/workflow/\(name)?correlationId=c\(n)", body: #"{"n":\#(n),"who":"bench-\#(n % 97)","payload":"\#(payload)"}"#)
        }

        let oneId = String(decoding: try must(ExecutionScenarios.request("POST", "/api/workflow/\(name)", body: #"{"n":-1}"#), "start"), as: UTF8.self)
        let bigId = String(decoding: try must(ExecutionScenarios.request("POST", "/api/workflow/\(loop)", body: "{}"), "start loop"), as: UTF8.self)
        // The loop runs in the engine; wait until it has its 1,000 iterations.
        let deadline = Date().addingTimeInterval(120)
        while true {
            let body = try must(BatonBench.get("/api/workflow/\(bigId)?includeTasks=false"), "read loop")
            if String(decoding: body, as: UTF8.self).contains(#""status":"COMPLETED""#) { break }
            guard Date() < deadline else { throw BenchError("the 1,000-task loop did not finish") }
            Thread.sleep(forTimeInterval: 0.2)
        }

        let pages: [(String, String)] = [
            ("/executions (first page, newest first)", "/executions"),
            ("/executions?name=&status= (filtered)", "/executions?name=\(name)&status=COMPLETED"),
            ("/executions?correlationId=", "/executions?correlationId=c\(count / 2)"),
            ("/executions?q= (free text)", "/executions?q=bench-42&size=25"),
            ("/execution/{id} (one task)", "/execution/\(oneId)"),
            ("/execution/{id} (1,000 tasks)", "/execution/\(bigId)"),
        ]
        var figures = Figures(prefilled: count, prefillSeconds: prefillSeconds, pages: [])
        for (label, path) in pages {
            var millis: [Double] = []
            var bytes = 0
            for _ in 0..<samples {
                let t0 = monotonicNanos()
                let body = try must(BatonBench.get(path), label)
                millis.append(Double(monotonicNanos() - t0) / 1e6)
                bytes = body.count
            }
            figures.pages.append((label, millis, bytes))
        }
        return figures
    }
}
