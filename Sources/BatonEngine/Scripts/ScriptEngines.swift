import BatonSupport
import Foundation

/// The script evaluator the server runs with: JavaScriptCore and libjq, each under a time limit, so a
/// runaway script fails its task instead of stopping the engine.
public struct ScriptEngines: ScriptEvaluator {
    public var timeLimitSeconds: Double

    public init(timeLimitSeconds: Double = 4) { self.timeLimitSeconds = timeLimitSeconds }

    /// JavaScriptCore's watchdog interrupts the script itself.
    public func javascript(_ script: String, input: JSONValue) throws(ScriptError) -> JSONValue {
        try JavaScript.evaluate(script, input: input, timeLimitSeconds: timeLimitSeconds)
    }

    /// jq cannot be interrupted, so a program runs on a thread of its own and the caller gives up after
    /// the time limit. The abandoned thread runs on until the program ends; that is the price of not
    /// hanging.
    public func jq(_ program: String, input: JSONValue) throws(ScriptError) -> [JSONValue] {
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
}

/// The hand-off between the caller and a jq thread.
private final class JQOutcome: @unchecked Sendable {
    // Written once by the jq thread before `done` is signalled, read after the wait: the semaphore orders them.
    private(set) var result: Result<[JSONValue], ScriptError>?
    let done = SemaphoreBox()
    func finish(_ r: Result<[JSONValue], ScriptError>) {
        result = r
        done.signal()
    }
}
