import BatonSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// jq for JSON_JQ_TRANSFORM, on libjq opened with `dlopen` the first time a program runs.
///
/// A compiled program lives in its own `jq_state`, kept in `JQProgramCache` for the next run of the same text;
/// one state serves one run at a time, so runs share nothing and may go in parallel: libjq keeps no mutable
/// global state outside a `jq_state` (its number formatting uses thread-specific storage), which the
/// concurrent tests exercise.
public enum JQ {
    /// Runs `program` over `input` and returns every value it emits, in order. Numbers come back as `.int` when
    /// integral and within 64 bits, else `.double`; object keys keep jq's order. A compile error or a runtime
    /// error fails with `.evaluation` carrying jq's message.
    public static func run(_ program: String, input: JSONValue) throws(ScriptError) -> [JSONValue] {
        try run(program, input: input, library: shared)
    }

    /// Whether `libjq.so.1` could be loaded (with every function Baton calls).
    public static var isAvailable: Bool { (try? shared.get()) != nil }

    static let libraryName = "libjq.so.1"
    static let debianPackage = "libjq1"

    /// Loaded once, on first use (a `static let` is initialized exactly once, thread-safely).
    static let shared: Result<LibJQ, ScriptError> = load(libraryName: libraryName)

    /// Test seam: loads libjq from `libraryName` (tests pass a name that does not exist).
    static func load(libraryName: String) -> Result<LibJQ, ScriptError> {
        Result { () throws(ScriptError) in
            try LibJQ(DynamicLibrary(name: libraryName, purpose: "jq transformation", package: debianPackage))
        }
    }

    /// Compiled programs, shared by every run in the process.
    static let cache = JQProgramCache()

    /// Test seam: runs with a given (possibly failed) load of the library, and a cache of the test's own.
    static func run(_ program: String, input: JSONValue, library: Result<LibJQ, ScriptError>,
                    cache: JQProgramCache = JQ.cache) throws(ScriptError) -> [JSONValue]
    {
        let jq = try library.get()
        if startsWithModuleDirective(program) {
            throw ScriptError.evaluation("jq: error: import, include and module directives are not supported")
        }
        let compiled: CompiledJQ
        if let idle = cache.checkOut(program) { compiled = idle } else { compiled = try compile(program, jq) }
        // A state is reusable after any run, finished or failed: `jq_start` resets it.
        defer { cache.checkIn(program, compiled) }

        let largeIntegers = JQLargeIntegers(input)
        var bytes = JSONWriter.bytes(input)
        let parsed = bytes.withUnsafeMutableBufferPointer { buf in
            buf.withMemoryRebound(to: CChar.self) { jq.parseSized($0.baseAddress, Int32(clamping: $0.count)) }
        }
        guard jq.getKind(parsed) != JVKind.invalid else {
            jq.free(parsed)
            throw ScriptError.evaluation("jq: error: the input is not valid JSON")
        }
        jq.start(compiled.pointer, parsed, 0)   // takes ownership of `parsed`

        var results: [JSONValue] = []
        while true {
            let next = jq.next(compiled.pointer)
            if jq.getKind(next) == JVKind.invalid {
                // An invalid value without a message is the end of the output; with one, a runtime error.
                let message = jq.invalidGetMessage(next)
                if jq.getKind(message) == JVKind.null { jq.free(message); break }
                throw ScriptError.evaluation(jq.errorText(message))
            }
            results.append(try jq.toJSON(next))
        }
        guard let largeIntegers else { return results }
        return results.map(largeIntegers.restoring)
    }

    /// Compiles `program` into a new state, read as jackson-jq (OSS) reads it: `//` binds more tightly than
    /// an assignment (`JacksonJQAssignments`, applied always: both dialects accept the text), and when libjq
    /// refuses the program, operator expressions as object values are put in parentheses
    /// (`JacksonJQSyntax`). If no reading compiles, libjq's message for the program as written is the error.
    static func compile(_ program: String, _ jq: LibJQ) throws(ScriptError) -> CompiledJQ {
        let jacksonPrecedence = JacksonJQAssignments.parenthesizingDefinedOr(program) ?? program
        if let compiled = try? compileExactly(jacksonPrecedence, jq) { return compiled }
        if let rewritten = JacksonJQSyntax.parenthesizingObjectValues(jacksonPrecedence),
           let compiled = try? compileExactly(rewritten, jq) {
            return compiled
        }
        return try compileExactly(program, jq)
    }

    private static func compileExactly(_ program: String, _ jq: LibJQ) throws(ScriptError) -> CompiledJQ {
        guard let state = jq.initState() else { throw ScriptError.evaluation("jq: error: out of memory") }
        // Compile errors arrive through the error callback, one or more messages, before jq_compile returns 0.
        // The sink lives as long as the state (which keeps the callback), and drops what comes after compiling.
        let messages = MessageSink(jq)
        let compiled = CompiledJQ(jq: jq, state: state, messages: messages)   // tears the state down on failure
        // jq 1.6 asserts (aborting the process) when a module is loaded and no library path was set; the
        // directives are refused before, and an empty path is the second guard.
        jq.setAttribute(state, jq.string("JQ_LIBRARY_PATH"), jq.array())
        jq.setErrorCallback(state, { data, message in
            guard let data else { return }
            let sink = Unmanaged<MessageSink>.fromOpaque(data).takeUnretainedValue()
            if sink.collecting { sink.texts.append(sink.jq.takeText(formatting: message)) } else { sink.jq.free(message) }
        }, Unmanaged.passUnretained(messages).toOpaque())
        let ok = (sandbox + program).withCString { jq.compile(state, $0) }
        messages.collecting = false
        guard ok != 0 else {
            let text = messages.texts.isEmpty ? "jq: error: compile error" : messages.texts.joined(separator: "\n")
            throw ScriptError.evaluation(text.replacing(sandbox, with: ""))
        }
        return compiled
    }

    /// Put before every program, on the same line so jq's line numbers stay right (and removed from its
    /// messages): the server's environment variables (`env`, `$ENV`) read as `{}`, `stderr` writes nothing,
    /// so a workflow definition cannot read the server's secrets or write to its log, and `input`/`inputs`
    /// (which crash libjq 1.6 when no input callback is set) behave as at the end of the input. Then what
    /// jackson-jq 0.0.13 (the version OSS pins) has and libjq 1.6 lacks or does differently:
    /// `sort(f)`, `min(f)`, `max(f)`, `unique(f)`, `group(f)` and `group`, its names for the `_by` forms;
    /// `recurse(f)` ending at null (libjq 1.6 recurses forever on `recurse(.a)` over `{"a":null}`); and
    /// `limit(0; f)` empty (libjq 1.6 emits one value). `halt_error` fails the run with its input as the
    /// message, where libjq 1.6 would end the output silently and the task complete (jackson-jq has no
    /// such function: on OSS the task fails too).
    static let sandbox =
        #"def env: {}; def stderr: .; def input: error("No more inputs"); def inputs: empty; "#
        + #"def halt_error: error(.); def halt_error($code): error(.); "#
        + #"def sort(f): sort_by(f); def min(f): min_by(f); def max(f): max_by(f); def unique(f): unique_by(f); "#
        + #"def group(f): group_by(f); def group: group_by(.); def recurse(f): recurse(f; . != null); "#
        + #"def limit($n; f): if $n > 0 then label $out | foreach f as $item (0; . + 1; $item, "#
        + #"if . >= $n then break $out else empty end) elif $n == 0 then empty else f end; {} as $ENV | "#

    /// Whether the program begins (after blanks and `#` comments) with `import`, `include` or `module`, which
    /// read files from the server's disk.
    static func startsWithModuleDirective(_ program: String) -> Bool {
        var rest = Substring(program)
        while true {
            rest = rest.drop { $0.isWhitespace }
            guard rest.first == "#" else { break }
            rest = rest.drop { !$0.isNewline }
        }
        let word = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
        return word == "import" || word == "include" || word == "module"
    }
}

/// Collects the messages jq reports while a state compiles; afterwards it frees them unread. Touched only by the
/// thread that holds the state.
final class MessageSink {
    let jq: LibJQ
    var texts: [String] = []
    var collecting = true
    init(_ jq: LibJQ) { self.jq = jq }
}

/// libjq's `jv`: `struct { unsigned char kind_flags; unsigned char pad_; unsigned short offset; int size;
/// union { struct jv_refcnt* ptr; double number; } u; }`, 16 bytes passed and returned by value.
///
/// Swift cannot put a Swift-declared struct in a `@convention(c)` type, so the value travels as the imported C
/// struct `lldiv_t` (`{ long long quot; long long rem; }`): also 16 bytes of two INTEGER-class eightbytes, so
/// the x86-64 System V and AArch64 calling conventions pass it in the same two general registers (and return it
/// in rax:rdx / x0:x1) as `jv`. Baton never looks inside; it hands the value back to libjq's functions.
typealias JV = lldiv_t

/// `jv_kind` values.
enum JVKind {
    static let invalid: Int32 = 0, null: Int32 = 1, `false`: Int32 = 2, `true`: Int32 = 3
    static let number: Int32 = 4, string: Int32 = 5, array: Int32 = 6, object: Int32 = 7
}

/// `void (*jq_msg_cb)(void *, jv)`: the callback owns the `jv`.
typealias JQMessageCallback = @convention(c) (UnsafeMutableRawPointer?, JV) -> Void

/// The loaded library. Comments name who owns `jv` arguments: libjq's functions "consume" most of them.
struct LibJQ: Sendable {
    let initState: @convention(c) () -> OpaquePointer?
    let teardown: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?) -> Void
    let setErrorCallback: @convention(c) (OpaquePointer?, JQMessageCallback?, UnsafeMutableRawPointer?) -> Void
    let compile: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?) -> Int32
    let start: @convention(c) (OpaquePointer?, JV, Int32) -> Void                  // consumes the input
    let next: @convention(c) (OpaquePointer?) -> JV                               // caller owns the result
    let parseSized: @convention(c) (UnsafePointer<CChar>?, Int32) -> JV
    let dumpString: @convention(c) (JV, Int32) -> JV                              // consumes
    let stringValue: @convention(c) (JV) -> UnsafePointer<CChar>?                 // borrows
    let stringLengthBytes: @convention(c) (JV) -> Int32                           // consumes
    let copy: @convention(c) (JV) -> JV
    let free: @convention(c) (JV) -> Void                                         // consumes
    let getKind: @convention(c) (JV) -> Int32                                     // borrows
    let invalidGetMessage: @convention(c) (JV) -> JV                              // consumes
    let formatError: @convention(c) (JV) -> JV                                    // consumes
    let setAttribute: @convention(c) (OpaquePointer?, JV, JV) -> Void              // consumes both
    let string: @convention(c) (UnsafePointer<CChar>?) -> JV
    let array: @convention(c) () -> JV

    init(_ lib: DynamicLibrary) throws(ScriptError) {
        initState = try lib.function("jq_init")
        teardown = try lib.function("jq_teardown")
        setErrorCallback = try lib.function("jq_set_error_cb")
        compile = try lib.function("jq_compile")
        start = try lib.function("jq_start")
        next = try lib.function("jq_next")
        parseSized = try lib.function("jv_parse_sized")
        dumpString = try lib.function("jv_dump_string")
        stringValue = try lib.function("jv_string_value")
        stringLengthBytes = try lib.function("jv_string_length_bytes")
        copy = try lib.function("jv_copy")
        free = try lib.function("jv_free")
        getKind = try lib.function("jv_get_kind")
        invalidGetMessage = try lib.function("jv_invalid_get_msg")
        formatError = try lib.function("jq_format_error")
        setAttribute = try lib.function("jq_set_attr")
        string = try lib.function("jv_string")
        array = try lib.function("jv_array")
    }

    /// The text of a string `jv`, consuming it.
    func takeString(_ string: JV) -> String {
        defer { free(string) }
        guard getKind(string) == JVKind.string, let chars = stringValue(string) else { return "" }
        let count = Int(stringLengthBytes(copy(string)))
        return chars.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }

    /// Converts an emitted value, consuming it: jq writes it as JSON (keys in its order, integral numbers
    /// without a fraction) and Baton parses that, so numbers land in `.int` or `.double` like everywhere else.
    func toJSON(_ value: JV) throws(ScriptError) -> JSONValue {
        let text = takeString(dumpString(value, 0))
        do {
            return try JSONParser.parse(text)
        } catch {
            throw ScriptError.evaluation("jq: error: the result cannot be converted: \(error)")
        }
    }

    /// A runtime error message, consuming it: jq's text when it is a string, else the value as JSON
    /// (`error({"a":1})`), as the jq command line reports it.
    func errorText(_ message: JV) -> String {
        if getKind(message) == JVKind.string { return takeString(message) }
        return takeString(dumpString(message, 0)) + " (not a string)"
    }

    /// A message handed to the error callback, consuming it (`jq_format_error` turns it into text).
    func takeText(formatting message: JV) -> String {
        takeString(formatError(message))
    }
}
