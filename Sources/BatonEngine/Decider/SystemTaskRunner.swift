import BatonSupport
import Foundation

/// Running the built-in tasks that execute inside the decide pass (OSS `WorkflowSystemTask.execute`).
extension Decider {
    /// Runs an open in-engine system task; returns true when it changed the workflow.
    func execute(_ wf: inout WorkflowModel, at i: Int) throws -> Bool {
        if wf.tasks[i].taskType == "DO_WHILE" { return try runDoWhile(&wf, at: i) }
        let before = wf.tasks[i]
        var t = before
        switch t.taskType {
        case "SWITCH", "DECISION", "NOOP":
            t.status = .completed
        case "JOIN":
            evaluateJoin(&t, in: wf)
        case "EXCLUSIVE_JOIN":
            evaluateExclusiveJoin(&t, in: wf)
        case "TERMINATE":
            runTerminate(&t)
        case "SET_VARIABLE":
            runSetVariable(&t, in: &wf)
        case "INLINE":
            runInline(&t)
        case "LAMBDA":
            runLambda(&t)
        case "JSON_JQ_TRANSFORM":
            runJQ(&t)
        case "WAIT":
            runWait(&t)
        default:
            return false   // HUMAN waits for an update; async types are the engine's
        }
        if t.status.isTerminal && t.endTime == 0 { t.endTime = now }
        guard t != before else { return false }
        wf.tasks[i] = t
        return true
    }

    /// The latest attempt of a reference name (inside a loop: with the loop task's iteration suffix).
    private func joined(_ ref: String, iteration: Int, in wf: WorkflowModel) -> TaskModel? {
        wf.task(ref: iteration > 0 ? "\(ref)__\(iteration)" : ref)
    }

    /// JOIN (OSS `Join.execute`): output collects each joined task's output; a non-optional failure
    /// fails it (a permissive one only once everything joined is terminal).
    func evaluateJoin(_ t: inout TaskModel, in wf: WorkflowModel) {
        let joinOn = t.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []
        // Latest attempt per reference name, found once: a wide fork joins hundreds of refs on every pass.
        var latest: [String: Int] = [:]
        latest.reserveCapacity(wf.tasks.count)
        for i in wf.tasks.indices { latest[wf.tasks[i].referenceTaskName] = i }
        let refs = joinOn.map { t.iteration > 0 ? "\($0)__\(t.iteration)" : $0 }
        let indices = refs.map { latest[$0] }
        let allTerminal = indices.allSatisfy { $0.map { wf.tasks[$0].status.isTerminal } ?? false }
        var optionalFailures: [String] = []
        for (ref, index) in zip(refs, indices) {
            guard let index else { continue }
            let forked = wf.tasks[index]
            if !forked.outputData.isEmpty { t.outputData[ref] = .object(forked.outputData) }
            let failure = !forked.status.isSuccessful && !forked.workflowTask.optional && (!forked.workflowTask.permissive || allTerminal)
            if failure {
                let unsuccessful = indices.compactMap { $0 }.map { wf.tasks[$0] }.filter { !$0.status.isSuccessful }
                t.reasonForIncompletion = unsuccessful.compactMap(\.reasonForIncompletion).joined(separator: " ")
                let nonCanceled = unsuccessful.contains { $0.status.isTerminal && !$0.workflowTask.optional && $0.status != .canceled }
                t.status = nonCanceled ? .failed : .canceled
                return
            }
            if forked.workflowTask.optional && forked.status == .completedWithErrors {
                optionalFailures.append("\(forked.taskDefName)/\(forked.taskId)")
            }
        }
        guard allTerminal else { return }
        if optionalFailures.isEmpty {
            t.status = .completed
        } else {
            t.status = .completedWithErrors
            t.reasonForIncompletion = optionalFailures.joined(separator: " ") + " completed with errors"
        }
    }

    /// EXCLUSIVE_JOIN: completes with the output of the one branch end that ran.
    func evaluateExclusiveJoin(_ t: inout TaskModel, in wf: WorkflowModel) {
        func decide(_ refs: [String]) -> Bool {
            for ref in refs {
                guard let joined = joined(ref, iteration: t.iteration, in: wf), joined.status != .skipped else { continue }
                guard joined.status.isTerminal else { return true }
                if !joined.status.isSuccessful && !joined.workflowTask.permissive {
                    t.status = .failed
                    t.reasonForIncompletion = joined.reasonForIncompletion
                } else {
                    t.status = .completed
                    t.outputData = joined.outputData
                }
                return true
            }
            return false
        }
        let joinOn = t.inputData["joinOn"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !decide(joinOn) {
            _ = decide(t.inputData["defaultExclusiveJoinTask"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
    }

    private func runTerminate(_ t: inout TaskModel) {
        let status = t.inputData["terminationStatus"]?.stringValue ?? ""
        guard ["COMPLETED", "FAILED", "TERMINATED"].contains(status) else {
            t.status = .failed
            t.reasonForIncompletion = "given termination status is not valid"
            return
        }
        switch t.inputData["workflowOutput"] {
        case .object(let o)?: t.outputData = o
        case .none, .null?: t.outputData = JSONObject()
        case let other?: t.outputData = ["output": other]
        }
        t.status = .completed
    }

    private func runSetVariable(_ t: inout TaskModel, in wf: inout WorkflowModel) {
        var variables = wf.variables
        for (k, v) in t.inputData { variables[k] = v }
        let size = JSONWriter.bytes(.object(variables)).count
        guard size <= 256 * 1024 else {
            t.status = .failedWithTerminalError
            t.reasonForIncompletion = "The variables payload size: \(size) of workflow: \(wf.workflowId) is greater than the permissible limit: 256 kilobytes"
            return
        }
        wf.variables = variables
        t.status = .completed
    }

    /// A script task's failure: the reason, and the same text as `output.error` (OSS's shape).
    private func fail(_ t: inout TaskModel, _ status: TaskStatus, _ message: String) {
        t.status = status
        t.reasonForIncompletion = message
        t.outputData = ["error": .string(message)]
    }

    private func runInline(_ t: inout TaskModel) {
        let evaluator = t.inputData["evaluatorType"]?.stringValue ?? "javascript"
        let expression = t.inputData["expression"]?.stringValue ?? ""
        func fail(_ status: TaskStatus, _ message: String) { self.fail(&t, status, message) }
        if evaluator.trimmingCharacters(in: .whitespaces).isEmpty || expression.trimmingCharacters(in: .whitespaces).isEmpty {
            fail(.failedWithTerminalError, "Empty 'evaluatorType' or 'expression' in INLINE task's input parameters. A non-empty String value must be provided.")
            return
        }
        do {
            let result: JSONValue
            switch evaluator {
            case "javascript", "graaljs": result = try JavaScript.evaluate(expression, input: .object(t.inputData))
            case "value-param": result = t.inputData[expression] ?? .null
            default:
                fail(.failedWithTerminalError, "Unknown evaluator '\(evaluator)' in INLINE task.")
                return
            }
            t.outputData = ["result": result]
            t.status = .completed
        } catch {
            // A timeout may pass on a retry; a script error will not.
            if case .timeout = error { fail(.failed, error.message) } else { fail(.failedWithTerminalError, error.message) }
        }
    }

    private func runLambda(_ t: inout TaskModel) {
        let script = t.inputData["scriptExpression"]?.stringValue ?? ""
        guard !script.trimmingCharacters(in: .whitespaces).isEmpty else {
            t.status = .failed
            t.reasonForIncompletion = "Empty 'scriptExpression' in Lambda task's input parameters. A non-empty String value must be provided."
            return
        }
        do {
            let result = try JavaScript.evaluate("(function(){ \(script) })()", input: .object(t.inputData))
            t.outputData = ["result": result]
            t.status = .completed
        } catch {
            fail(&t, .failed, error.message)
        }
    }

    private func runJQ(_ t: inout TaskModel) {
        guard let program = t.inputData["queryExpression"]?.stringValue else {
            t.status = .failed
            t.reasonForIncompletion = "Missing 'queryExpression' in input parameters"
            return
        }
        do {
            let results = try Self.runJQ(program, input: .object(t.inputData), timeLimitSeconds: 4)
            t.outputData = ["result": results.first ?? .null, "resultList": .array(results)]
            t.status = .completed
        } catch {
            fail(&t, .failed, (error as? ScriptError)?.message ?? "\(error)")
        }
    }

    /// jq cannot be interrupted, so a program runs on a thread of its own and the task gives up after the
    /// time limit: a runaway program (`repeat(.)`) fails its task instead of stopping the engine. The
    /// abandoned thread runs on until the program ends; that is the price of not hanging.
    static func runJQ(_ program: String, input: JSONValue, timeLimitSeconds: Double) throws -> [JSONValue] {
        let outcome = JQOutcome()
        let thread = Thread {
            outcome.finish(Result { () throws(ScriptError) -> [JSONValue] in try JQ.run(program, input: input) })
        }
        thread.stackSize = 8 << 20
        thread.start()
        guard outcome.done.wait(millis: Int64(timeLimitSeconds * 1000)), let result = outcome.result else {
            throw ScriptError.timeout("jq program not finished within \(Int(timeLimitSeconds)) seconds, abandoned.")
        }
        return try result.get()
    }

    /// WAIT: sets its deadline on first run, completes once it has passed; without `duration` or
    /// `until` it waits for an outside update.
    private func runWait(_ t: inout TaskModel) {
        let duration = t.inputData["duration"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        let until = t.inputData["until"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if t.waitTimeout == 0 {
            if !duration.isEmpty && !until.isEmpty {
                t.status = .failedWithTerminalError
                t.reasonForIncompletion = "Both 'duration' and 'until' specified. Please provide only one input"
                return
            }
            if !duration.isEmpty {
                guard let seconds = WaitTimes.seconds(duration) else {
                    t.status = .failedWithTerminalError
                    t.reasonForIncompletion = "Not valid duration: \(duration)"
                    return
                }
                t.waitTimeout = max(t.startTime, t.scheduledTime, 1) + seconds * 1000
            } else if !until.isEmpty {
                guard let at = WaitTimes.epochMillis(until) else {
                    t.status = .failedWithTerminalError
                    t.reasonForIncompletion = "Invalid/Unsupported Wait Until format.  Provided: \(until)"
                    return
                }
                t.waitTimeout = max(at, 1)
            } else {
                return
            }
        }
        if now >= t.waitTimeout {
            t.status = .completed
        }
    }
}

/// Parsing WAIT's `duration` and `until`.
enum WaitTimes {
    /// `30s`, `5 minutes`, `1d 2h` ...; nil for anything else (a bare number included).
    static func seconds(_ text: String) -> Int64? {
        let units: [(Set<String>, Int64)] = [
            (["d", "day", "days"], 86_400), (["h", "hr", "hrs", "hour", "hours"], 3_600),
            (["m", "min", "mins", "minute", "minutes"], 60), (["s", "sec", "secs", "second", "seconds"], 1),
        ]
        var total: Int64 = 0
        var rest = Substring(text.lowercased())
        var matched = false
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { break }
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let word = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0.contains(String(word)) }) else { return nil }
            rest = rest.dropFirst(word.count)
            total += n * unit.1
            matched = true
        }
        return matched ? total : nil
    }

    /// `yyyy-MM-dd HH:mm`, `yyyy-MM-dd HH:mm z`, or `yyyy-MM-dd` (server local time when no zone).
    static func epochMillis(_ text: String) -> Int64? {
        let formats = ["yyyy-MM-dd HH:mm z", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"]
        for format in formats {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.dateFormat = format
            f.timeZone = TimeZone.current
            f.isLenient = false
            if let d = f.date(from: text) { return Int64(d.timeIntervalSince1970 * 1000) }
        }
        return nil
    }
}

/// The hand-off between the engine and a jq thread.
final class JQOutcome: @unchecked Sendable {
    // Written once by the jq thread before `done` is signalled, read after the wait: the semaphore orders them.
    private(set) var result: Result<[JSONValue], ScriptError>?
    let done = SemaphoreBox()
    func finish(_ r: Result<[JSONValue], ScriptError>) {
        result = r
        done.signal()
    }
}
