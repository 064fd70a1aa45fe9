import BatonSupport
import Synchronization

/// JavaScript for SWITCH, INLINE, DO_WHILE conditions, DECISION and LAMBDA, on JavaScriptCore.
///
/// JavaScriptCore's C API (the one Apple ships; WebKitGTK's `libjavascriptcoregtk-4.1.so.0` exports it too)
/// is opened with `dlopen` the first time a script runs. Every evaluation gets a fresh global context, so nothing
/// carries over between runs, in a context group (a JavaScriptCore VM with its own heap and watchdog) that no
/// other run uses at the same time: JavaScriptCore locks per VM, so scripts on separate threads run in parallel
/// and the only lock of ours guards the pool of idle groups.
/// The script sees one global, `$`, a deep copy of the input made through JSON; `console` is removed, and
/// the API context has no I/O or host objects to begin with (no `print`, `load`, `readFile` as in the jsc shell).
public enum JavaScript {
    /// Evaluates `script` with `$` = `input` and returns its completion value (the value of the last
    /// expression statement), converted as Conductor does: null/undefined → null; numbers that are integral
    /// and fit 64 bits → `.int` (so `2.0` is `2`), other numbers → `.double`; arrays and objects through
    /// `JSON.stringify` (keys in JavaScript's enumeration order); functions and symbols → null.
    /// A script still running after `timeLimitSeconds` of CPU time is interrupted and fails with `.timeout`.
    public static func evaluate(_ script: String, input: JSONValue, timeLimitSeconds: Double = 4)
        throws(ScriptError) -> JSONValue
    {
        try evaluate(script, input: input, timeLimitSeconds: timeLimitSeconds, library: shared)
    }

    /// Whether `libjavascriptcoregtk-4.1.so.0` could be loaded (with every function Baton calls).
    public static var isAvailable: Bool { (try? shared.get()) != nil }

    static let libraryName = "libjavascriptcoregtk-4.1.so.0"
    static let debianPackage = "libjavascriptcoregtk-4.1-0"

    /// Loaded once, on first use (a `static let` is initialized exactly once, thread-safely).
    static let shared: Result<JavaScriptCore, ScriptError> = load(libraryName: libraryName)

    /// Test seam: loads JavaScriptCore from `libraryName` (tests pass a name that does not exist).
    static func load(libraryName: String) -> Result<JavaScriptCore, ScriptError> {
        Result { () throws(ScriptError) in
            try JavaScriptCore(DynamicLibrary(
                name: libraryName, purpose: "JavaScript evaluation", package: debianPackage))
        }
    }

    /// Test seam: evaluates with a given (possibly failed) load of the library.
    static func evaluate(
        _ script: String, input: JSONValue, timeLimitSeconds: Double, library: Result<JavaScriptCore, ScriptError>
    ) throws(ScriptError) -> JSONValue {
        let js = try library.get()
        guard let group = takeGroup(js) else {
            throw ScriptError.evaluation("Error evaluating the script `could not create a JavaScript context`")
        }
        // The watchdog measures the CPU time of the thread running the script; when the limit passes,
        // JavaScriptCore asks this callback at its next safe point (loop back-edges, calls) on the same thread,
        // and terminates the script with an uncatchable exception when it answers true. The callback and its flag
        // are set again by every run before any script code, so an idle group's stale pointer is never used.
        let timedOut = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        timedOut.initialize(to: false)
        defer {
            // A VM whose script was terminated is not trusted again; a healthy one goes back to the pool.
            if timedOut.pointee { js.contextGroupRelease(group) } else { returnGroup(group, js) }
            timedOut.deallocate()
        }
        js.contextGroupSetExecutionTimeLimit(group, timeLimitSeconds, { _, flag in
            flag?.assumingMemoryBound(to: Bool.self).pointee = true
            return true
        }, timedOut)

        guard let context = js.globalContextCreateInGroup(group, nil) else {
            throw ScriptError.evaluation("Error evaluating the script `could not create a JavaScript context`")
        }
        defer { js.globalContextRelease(context) }
        let global = js.contextGetGlobalObject(context)

        // Values below live on this thread's stack while in use, which JavaScriptCore's conservative GC scans,
        // so they need no JSValueProtect.
        js.withString("console") { name in _ = js.objectDeleteProperty(context, global, name, nil) }
        let inputValue = js.withString(JSONWriter.string(input)) { json in js.valueMakeFromJSONString(context, json) }
        guard let inputValue else {
            throw ScriptError.evaluation("Error evaluating the script `the input is not valid JSON`")
        }
        js.withString("$") { name in
            js.objectSetProperty(context, global, name, inputValue, 0 /* kJSPropertyAttributeNone */, nil)
        }

        var exception: JSValueRef? = nil
        let result = js.withString(script) { source in
            js.evaluateScript(context, source, nil, nil, 1, &exception)
        }
        guard let result else {
            if timedOut.pointee { throw timeoutError(timeLimitSeconds) }
            throw ScriptError.evaluation(describe(exception, context: context, js: js))
        }
        do {
            return try convert(result, context: context, js: js)
        } catch {
            // Converting objects runs script code too (toJSON, getters), under the same limit.
            if timedOut.pointee { throw timeoutError(timeLimitSeconds) }
            throw error
        }
    }

    /// Idle context groups (JavaScriptCore VMs), reused because creating and destroying a VM leaks about 1 KB
    /// inside libjavascriptcoregtk-4.1 (2.50) each time, while a reused VM stays flat. Each run still gets a fresh
    /// global context (its own global object and built-ins, so no variables or prototype changes carry over),
    /// and a group is used by one run at a time: at most one group per concurrent evaluation exists.
    private static let idleGroups = Mutex<[IdleGroup]>([])
    private static let maxIdleGroups = 32

    /// A context group handed between threads; only the run that took it from the pool touches it.
    private struct IdleGroup: @unchecked Sendable { let group: JSContextGroupRef }

    private static func takeGroup(_ js: JavaScriptCore) -> JSContextGroupRef? {
        if let idle = idleGroups.withLock({ $0.popLast() }) { return idle.group }
        return js.contextGroupCreate()
    }

    private static func returnGroup(_ group: JSContextGroupRef, _ js: JavaScriptCore) {
        let kept = idleGroups.withLock { idle in
            guard idle.count < maxIdleGroups else { return false }
            idle.append(IdleGroup(group: group))
            return true
        }
        if !kept { js.contextGroupRelease(group) }
    }

    private static func timeoutError(_ seconds: Double) -> ScriptError {
        let shown = seconds.rounded() == seconds && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
        return .timeout("Script not evaluated within \(shown) seconds, interrupted.")
    }

    /// ``Error evaluating the script `<message>` at line <n>``; the line only when the exception carries one
    /// (Error objects do; `throw 'text'` does not).
    private static func describe(_ exception: JSValueRef?, context: JSContextRef, js: JavaScriptCore) -> String {
        guard let exception else { return "Error evaluating the script `unknown error`" }
        var nested: JSValueRef? = nil
        let message = js.valueToStringCopy(context, exception, &nested).map { js.takeString($0) } ?? "unknown error"
        var line: Int? = nil
        if js.valueGetType(context, exception) == JSType.object {
            let value = js.withString("line") { name in js.objectGetProperty(context, exception, name, &nested) }
            if let value, js.valueGetType(context, value) == JSType.number {
                let number = js.valueToNumber(context, value, &nested)
                if number.isFinite && number >= 0 && number < 1e9 { line = Int(number) }
            }
        }
        guard let line else { return "Error evaluating the script `\(message)`" }
        return "Error evaluating the script `\(message)` at line \(line)"
    }

    private static func convert(_ value: JSValueRef, context: JSContextRef, js: JavaScriptCore)
        throws(ScriptError) -> JSONValue
    {
        switch js.valueGetType(context, value) {
        case JSType.boolean:
            return .bool(js.valueToBoolean(context, value))
        case JSType.number:
            return number(js.valueToNumber(context, value, nil))
        case JSType.string:
            return .string(js.valueToStringCopy(context, value, nil).map { js.takeString($0) } ?? "")
        case JSType.object:
            if js.objectIsFunction(context, value) { return .null }
            var exception: JSValueRef? = nil
            guard let json = js.valueCreateJSONString(context, value, 0, &exception) else {
                if exception != nil { throw ScriptError.evaluation(describe(exception, context: context, js: js)) }
                return .null   // toJSON returned undefined
            }
            let text = js.takeString(json)
            do {
                return try JSONParser.parse(text)
            } catch {
                throw ScriptError.evaluation("Error evaluating the script `the result cannot be converted: \(error)`")
            }
        default:
            return .null   // undefined, null, symbol, bigint
        }
    }

    /// Integral and within Int64 → `.int`, anything else (fractions, 1e20, NaN, infinities) → `.double`.
    static func number(_ d: Double) -> JSONValue {
        if d.isFinite && d.rounded() == d && d >= -0x1p63 && d < 0x1p63 { return .int(Int64(d)) }
        return .double(d)
    }
}
