@testable import BatonEngine
import BatonSupport
import Dispatch
import Synchronization
import Testing

// Engine-specific expectations run only where the libraries are installed (Debian libjavascriptcoregtk-4.1-0,
// libjq1); the "unavailable" path is tested everywhere, through the `load(libraryName:)` seam and, where a
// library is missing, through the public API itself.

private let missingLibrary = "libbaton-does-not-exist.so.0"

@Suite struct JavaScriptTests {
    private func eval(_ script: String, _ input: JSONValue = nil) throws(ScriptError) -> JSONValue {
        try JavaScript.evaluate(script, input: input)
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func completionValueOfConductorStyleExpressions() throws {
        let input: JSONValue = ["a": 5, "kind": "x", "items": [1, 2, 3], "loop_ref": ["iteration": 2], "max": 3]
        #expect(try eval("$.a > 3", input) == true)
        #expect(try eval("$.a > 3 ? 'yes' : 'no'", input) == "yes")
        #expect(try eval("$.kind == 'x' ? 'yes' : 'no'", input) == "yes")
        #expect(try eval("(function(){ return 1 })()", input) == 1)
        #expect(try eval("(function(){ return $.items.length; })()", input) == 3)
        #expect(try eval("$.items.length", input) == 3)
        #expect(try eval("if ($.loop_ref['iteration'] < $.max) { true; } else { false; }", input) == true)
        #expect(try eval("var x = 1; x + 1", input) == 2)
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func modernJavaScript() throws {
        let input: JSONValue = ["items": [["id": "a", "ok": true], ["id": "b", "ok": false], ["id": "c", "ok": true]]]
        #expect(try eval("$.items.filter(i => i.ok).map(i => i.id)", input) == ["a", "c"])
        #expect(try eval("const n = $.items.length; let s = `${n} items`; s", input) == "3 items")
        #expect(try eval("[1, 2, 3].map(function (x) { return x * 2 })") == [2, 4, 6])
        #expect(try eval("JSON.stringify({a: [1, 'two']})") == #"{"a":[1,"two"]}"#)
        #expect(try eval("const {a, ...rest} = {a: 1, b: 2, c: 3}; Object.keys(rest)") == ["b", "c"])
        #expect(try eval("class P { constructor(x) { this.x = x } get twice() { return this.x * 2 } }; new P(4).twice") == 8)
        #expect(try eval("[..._items()].length; function* _items() { yield 1; yield 2 }") == 2)   // hoisted
        #expect(try eval("[...(function* () { yield 1; yield 2 })()].length") == 2)
        #expect(try eval("$?.missing?.deeper ?? 'default'") == "default")
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func numbersComeBackAsIntWhenIntegral() throws {
        #expect(try eval("2.0") == .int(2))
        #expect(try eval("2.5") == .double(2.5))
        #expect(try eval("1e20") == .double(1e20))
        #expect(try eval("-7") == .int(-7))
        #expect(try eval("2 ** 53") == .int(9_007_199_254_740_992))
        #expect(try eval("0.1 + 0.2") == .double(0.1 + 0.2))
        #expect(try eval("[2.0, 2.5, 1e20, -0]") == [.int(2), .double(2.5), .double(1e20), .int(0)])
        #expect(try eval("$.n * 2", ["n": .double(1.5)]) == .int(3))
        #expect(try eval("$.big", ["big": .int(Int64.max / 1024)]) == .int(Int64.max / 1024))
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func otherValueKinds() throws {
        #expect(try eval("null") == .null)
        #expect(try eval("undefined") == .null)
        #expect(try eval("") == .null)
        #expect(try eval("let unused = 1;") == .null)
        #expect(try eval("(function () {})") == .null)
        #expect(try eval("Symbol('s')") == .null)
        #expect(try eval("true") == true)
        #expect(try eval("'text'") == "text")
        #expect(try eval("[1, 'a', null, undefined, [true]]") == [1, "a", nil, nil, [true]])
        let object = try eval("({b: 1, a: {z: 'last', y: [2.5]}, 2: 'two', 1: 'one'})")
        #expect(object == ["b": 1, "a": ["z": "last", "y": [2.5]], "1": "one", "2": "two"])
        #expect(object.objectValue?.keys == ["1", "2", "b", "a"])   // JavaScript's enumeration order
        #expect(object["a"]?.objectValue?.keys == ["z", "y"])
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func inputIsADeepCopyAndStringsRoundTrip() throws {
        let text = "héllo \"quoted\" 'single' \\ back\nnew line \u{0} nul, 😀 emoji, 日本語, \u{7}"
        let input: JSONValue = ["s": .string(text), "nested": ["list": [1, 2.5, "x", nil, false]], "é": "key"]
        #expect(try eval("$", input) == input)
        #expect(try eval("$.s", input) == .string(text))
        #expect(try eval("$.s + '✓'", input) == .string(text + "✓"))
        #expect(try eval("$.s.length", input) == .int(Int64(text.utf16.count)))
        #expect(try eval("$['é']", input) == "key")
        #expect(try eval("'\\u00e9' === 'é'") == true)
        #expect(try eval("$.nested.list.push(3); $.nested.list.length", input) == 6)
        #expect(try eval("$.nested.list.length", input) == 5)   // the previous run changed only its copy
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func runsShareNothingAndSeeNoHost() throws {
        #expect(try eval("globalThis.leak = 1; var v = 2; leak") == 1)
        #expect(try eval("typeof leak + ',' + typeof v") == "undefined,undefined")
        #expect(try eval("[typeof console, typeof print, typeof require, typeof process, typeof load, typeof readFile].join()")
            == "undefined,undefined,undefined,undefined,undefined,undefined")
        #expect(try eval("Object.prototype.polluted = 1; 0") == 0)
        #expect(try eval("({}).polluted") == nil)
    }

    @Test(.enabled(if: JavaScript.isAvailable))
    func errorsNameTheEngineMessageAndLine() {
        #expect(throws: ScriptError.evaluation("Error evaluating the script `ReferenceError: Can't find variable: x` at line 1")) {
            try eval("x.y")
        }
        #expect(throws: ScriptError.evaluation("Error evaluating the script `SyntaxError: Unexpected end of script` at line 3")) {
            try eval("\n\nfoo(")
        }
        #expect(throws: ScriptError.evaluation("Error evaluating the script `Error: bad` at line 2")) {
            try eval("1;\nthrow new Error('bad')")
        }
        #expect(throws: ScriptError.evaluation("Error evaluating the script `TypeError: null is not an object (evaluating '$.a')` at line 1")) {
            try eval("$.a", nil)
        }
        #expect(throws: ScriptError.evaluation("Error evaluating the script `boom`")) { try eval("throw 'boom'") }
        #expect(throws: ScriptError.evaluation("Error evaluating the script `TypeError: JSON.stringify cannot serialize cyclic structures.`")) {
            try eval("const o = {}; o.self = o; o")
        }
        #expect(ScriptError.evaluation("m").message == "m")
    }

    @Test(.enabled(if: JavaScript.isAvailable), .timeLimit(.minutes(1)))
    func runawayScriptsAreInterrupted() throws {
        let expected = ScriptError.timeout("Script not evaluated within 0.5 seconds, interrupted.")
        for script in ["while (true) {}", "try { while (true) {} } catch (e) { 'caught' }", "for (;;) { try { for(;;){} } finally { } }",
                       "function f() { return f() + 1 }; while (true) { try { f() } catch (e) {} }"] {
            let start = ContinuousClock.now
            #expect(throws: expected) { try JavaScript.evaluate(script, input: nil, timeLimitSeconds: 0.5) }
            let elapsed = ContinuousClock.now - start   // CPU time of this thread, so wall time can be longer
            #expect(elapsed >= .milliseconds(450) && elapsed < .seconds(10), "\(script) took \(elapsed)")
        }
        #expect(throws: ScriptError.timeout("Script not evaluated within 4 seconds, interrupted.")) {
            try JavaScript.evaluate("while (true) {}", input: nil, timeLimitSeconds: 4)
        }
        // Conversion runs script code (toJSON) under the same limit.
        #expect(throws: expected) {
            try JavaScript.evaluate("({toJSON() { while (true) {} }})", input: nil, timeLimitSeconds: 0.5)
        }
        #expect(try eval("1 + 1") == 2)   // the engine is fine afterwards
    }

    @Test(.enabled(if: JavaScript.isAvailable), .timeLimit(.minutes(1)))
    func evaluatesConcurrentlyFromEightThreads() {
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<100 {
                let input: JSONValue = ["t": .int(Int64(thread)), "i": .int(Int64(i)), "s": .string("ü\"\(thread)")]
                do {
                    let value = try JavaScript.evaluate("[$.t * 1000 + $.i, `${$.s}-${$.i}`, $.i / 2]", input: input)
                    let expected: JSONValue = [.int(Int64(thread * 1000 + i)), .string("ü\"\(thread)-\(i)"),
                                               i % 2 == 0 ? .int(Int64(i / 2)) : .double(Double(i) / 2)]
                    if value != expected { failures.withLock { $0.append("\(thread)/\(i): \(value)") } }
                } catch {
                    failures.withLock { $0.append("\(thread)/\(i): \(error)") }
                }
            }
            // Every thread also hits its time limit at once: each run has its own VM and watchdog.
            do {
                _ = try JavaScript.evaluate("while (true) {}", input: nil, timeLimitSeconds: 0.3)
                failures.withLock { $0.append("\(thread): no timeout") }
            } catch {
                if case .timeout? = error as? ScriptError {} else { failures.withLock { $0.append("\(thread): \(error)") } }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test func truthinessAsDoWhileUsesIt() {
        for value: JSONValue in [true, 1, 0.5, 42] { #expect(value.isTruthy, "\(value)") }
        for value: JSONValue in [false, 0, -1, 0.0, "true", nil, [1], ["a": 1]] { #expect(!value.isTruthy, "\(value)") }
    }

    @Test func missingLibraryNamesTheDebianPackage() {
        let library = JavaScript.load(libraryName: missingLibrary)
        #expect(throws: ScriptError.self) { try library.get() }
        do {
            _ = try JavaScript.evaluate("1", input: nil, timeLimitSeconds: 4, library: library)
            Issue.record("expected .unavailable")
        } catch {
            guard case .unavailable(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.hasPrefix(
                "JavaScript evaluation needs \(missingLibrary) (install the Debian package libjavascriptcoregtk-4.1-0): "))
            #expect(message.contains(missingLibrary))   // dlopen's own reason follows
        }
    }

    @Test(.disabled(if: JavaScript.isAvailable, "the package is installed: nothing is missing"))
    func publicAPIReportsAMissingLibrary() {
        #expect {
            try JavaScript.evaluate("1", input: nil)
        } throws: { error in
            guard case .unavailable(let message)? = error as? ScriptError else { return false }
            return message.contains("libjavascriptcoregtk-4.1-0")
        }
    }
}

@Suite struct JQTests {
    private let input: JSONValue = [
        "a": [["x": 1], ["x": 2.5], ["x": "three"]],
        "name": "Zoë \"the\" 😀",
        "n": 3,
        "map": ["k1": 1, "k2": 2],
    ]

    @Test(.enabled(if: JQ.isAvailable))
    func commonPrograms() throws {
        #expect(try JQ.run(".a | map(.x)", input: input) == [[1, 2.5, "three"]])
        #expect(try JQ.run(".map | to_entries", input: input)
            == [[["key": "k1", "value": 1], ["key": "k2", "value": 2]]])
        #expect(try JQ.run(".a[] | select(.x | type == \"number\" and . > 1)", input: input) == [["x": 2.5]])
        #expect(try JQ.run(#""Hello \(.name), n=\(.n)""#, input: input) == [.string("Hello Zoë \"the\" 😀, n=3")])
        #expect(try JQ.run("{who: .name, count: (.a | length), keys: (.map | keys)}", input: input)
            == [["who": .string("Zoë \"the\" 😀"), "count": 3, "keys": ["k1", "k2"]]])
        #expect(try JQ.run(".map | keys | length", input: input) == [2])
        #expect(try JQ.run("[.a[] | .x | numbers] | add", input: input) == [3.5])
        #expect(try JQ.run(".[\"n\"] as $n | [range($n)]", input: input) == [[0, 1, 2]])
    }

    @Test(.enabled(if: JQ.isAvailable))
    func everyOutputInOrderAndNumbersTyped() throws {
        #expect(try JQ.run("1, 2.5, 3.0, 1e20, -4", input: nil) == [.int(1), .double(2.5), .int(3), .double(1e20), .int(-4)])
        #expect(try JQ.run(".n / 2", input: input) == [.double(1.5)])
        #expect(try JQ.run(".n * 2", input: input) == [.int(6)])
        #expect(try JQ.run("empty", input: input) == [])
        #expect(try JQ.run(".missing", input: input) == [nil])
        #expect(try JQ.run(".", input: ["d": .double(2.0)]) == [["d": .int(2)]])
        let object = try JQ.run("{z: 1, a: 2, m: 3}", input: nil)
        #expect(object.first?.objectValue?.keys == ["z", "a", "m"])
    }

    @Test(.enabled(if: JQ.isAvailable))
    func unicodeRoundTrips() throws {
        let text = "héllo \"q\" \\ 😀 日本語\n\t\u{1}"
        #expect(try JQ.run(".", input: .string(text)) == [.string(text)])
        #expect(try JQ.run(". + \"✓\"", input: .string(text)) == [.string(text + "✓")])
        #expect(try JQ.run("{\"ключ\": .}", input: "значение") == [["ключ": "значение"]])
        #expect(try JQ.run("length", input: "😀é") == [2])
    }

    @Test(.enabled(if: JQ.isAvailable))
    func compileAndRuntimeErrorsCarryJqsMessage() {
        #expect {
            try JQ.run(".a |||", input: input)
        } throws: { error in
            guard case .evaluation(let message)? = error as? ScriptError else { return false }
            return message.hasPrefix("jq: error: syntax error, unexpected '|'") && message.contains("compile error")
                && !message.contains("def env")   // Baton's prefix is not shown
        }
        #expect {
            try JQ.run("nosuchfunction(1)", input: input)
        } throws: { error in
            (error as? ScriptError)?.message.contains("nosuchfunction/1 is not defined") == true
        }
        #expect(throws: ScriptError.evaluation("Cannot index number with string \"x\"")) { try JQ.run(".n.x", input: input) }
        #expect(throws: ScriptError.evaluation("custom failure")) { try JQ.run("error(\"custom failure\")", input: input) }
        #expect(throws: ScriptError.evaluation(#"{"a":1} (not a string)"#)) { try JQ.run("error({a: 1})", input: input) }
    }

    @Test(.enabled(if: JQ.isAvailable))
    func programsCannotReachTheHost() throws {
        #expect(try JQ.run("env", input: nil) == [[:]])
        #expect(try JQ.run("$ENV", input: nil) == [[:]])
        #expect(try JQ.run("\"x\" | stderr", input: nil) == ["x"])
        #expect(throws: ScriptError.evaluation("No more inputs")) { try JQ.run("input", input: nil) }
        #expect(try JQ.run("[inputs]", input: nil) == [[]])
        for program in ["include \"x\"; .", "  # comment\n import \"data\" as $d; .", "module {a: 1}; ."] {
            #expect(throws: ScriptError.evaluation("jq: error: import, include and module directives are not supported")) {
                try JQ.run(program, input: nil)
            }
        }
        #expect(try JQ.run("def includes: 1; includes", input: nil) == [1])
        #expect(try JQ.run("$__loc__.line", input: nil) == [1])   // line numbers unchanged by the prefix
    }

    @Test(.enabled(if: JQ.isAvailable), .timeLimit(.minutes(1)))
    func runsConcurrentlyFromEightThreads() {
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for i in 0..<10 {
                let value: JSONValue = ["t": .int(Int64(thread)), "i": .int(Int64(i)), "s": .string("ü\(thread)")]
                do {
                    let out = try JQ.run(#"[.t * 100 + .i, "\(.s)-\(.i)", (.s | test("ü")), (.i / 2)]"#, input: value)
                    let expected: JSONValue = [.int(Int64(thread * 100 + i)), .string("ü\(thread)-\(i)"), true,
                                               i % 2 == 0 ? .int(Int64(i / 2)) : .double(Double(i) / 2)]
                    if out != [expected] { failures.withLock { $0.append("\(thread)/\(i): \(out)") } }
                } catch {
                    failures.withLock { $0.append("\(thread)/\(i): \(error)") }
                }
            }
        }
        #expect(failures.withLock { $0 } == [])
    }

    @Test(.enabled(if: JQ.isAvailable))
    func acceptsJacksonJQObjectValuesAsOSSDoes() throws {
        let program = #"{ requestTransform: .input.requestTransform // ".body"  , method: .input.method // "GET", n: .input.n + 1 }"#
        #expect(try JQ.run(program, input: ["input": ["method": "PUT", "n": 1]])
            == [["requestTransform": ".body", "method": "PUT", "n": 2]])
        // A program wrong in both dialects fails with libjq's message for the text as written.
        #expect {
            try JQ.run("{a: .b //}", input: nil)
        } throws: { error in
            guard case .evaluation(let message)? = error as? ScriptError else { return false }
            return message.contains("syntax error") && message.contains("compile error")
        }
    }

    @Test(.enabled(if: JQ.isAvailable))
    func definedOrBindsMoreTightlyThanAssignmentAsInJacksonJQ() throws {
        #expect(try JQ.run(#".a = .b // "d""#, input: ["b": nil]) == [["b": nil, "a": "d"]])
        #expect(try JQ.run(".n += .m // 1", input: ["n": 1]) == [["n": 2]])
        #expect(try JQ.run(#".a |= . // "d" | .z = 1"#, input: [:]) == [["a": "d", "z": 1]])
        #expect(try JQ.run(#"if .a == 1 then .b = .c // 2 else . end"#, input: ["a": 1]) == [["a": 1, "b": 2]])
        // Outside an assignment `//` is libjq's as before.
        #expect(try JQ.run(#".a // "d""#, input: [:]) == ["d"])
    }

    @Test(.enabled(if: JQ.isAvailable), .timeLimit(.minutes(1)))
    func jacksonJQBuiltinsThatLibJQLacksOrDiffersOn() throws {
        let people: JSONValue = [["n": "b", "a": 2], ["n": "a", "a": 1], ["n": "c", "a": 2]]
        #expect(try JQ.run("sort(.n) | map(.n)", input: people) == [["a", "b", "c"]])
        #expect(try JQ.run("min(.a).n, max(.n).n", input: people) == ["a", "c"])
        #expect(try JQ.run("unique(.a) | map(.n)", input: people) == [["a", "b"]])
        #expect(try JQ.run("group(.a) | map(length)", input: people) == [[1, 2]])
        #expect(try JQ.run("map(.a) | group", input: people) == [[[1], [2, 2]]])
        // jackson-jq's recurse(f) stops at null; libjq 1.6's would never end here.
        #expect(try JQ.run("[recurse(.a)] | length", input: ["a": ["a": nil]]) == [2])
        #expect(try JQ.run("[..] | length", input: ["a": nil]) == [2])   // `..` is unchanged
        #expect(try JQ.run("[limit(0; 1, 2)], [limit(1; 1, 2)]", input: nil) == [[], [1]])
        // halt_error fails the run (libjq 1.6 alone would end the output without a word).
        #expect(throws: ScriptError.evaluation("stop here")) { try JQ.run(#"1, ("stop here" | halt_error), 2"#, input: nil) }
        #expect(throws: ScriptError.evaluation("code")) { try JQ.run(#""code" | halt_error(1)"#, input: nil) }
    }

    @Test(.enabled(if: JQ.isAvailable))
    func integersBeyondDoublesComeBackExact() throws {
        let id: Int64 = 1_234_567_890_123_456_789
        let input: JSONValue = ["id": .int(id), "ids": [.int(9_007_199_254_740_993)], "small": 5]
        #expect(try JQ.run("{id, ids, small, text: (.id | tostring)}", input: input)
            == [["id": .int(id), "ids": [.int(9_007_199_254_740_993)], "small": 5, "text": .string(String(id))]])
        // Two input integers that share a double are left as libjq gives them.
        let twins = try JQ.run(".[0]", input: [.int(9_007_199_254_740_993), .int(9_007_199_254_740_992)])
        #expect(twins != [.int(9_007_199_254_740_993)])
    }

    @Test(.enabled(if: JQ.isAvailable))
    func compiledProgramsAreReusedAcrossInputsAndAfterErrors() throws {
        let cache = JQProgramCache(capacity: 2, idlePerProgram: 1)
        let library = JQ.shared
        func run(_ program: String, _ input: JSONValue) throws(ScriptError) -> [JSONValue] {
            try JQ.run(program, input: input, library: library, cache: cache)
        }
        #expect(try run(".a.b", ["a": ["b": 1]]) == [1])
        #expect(cache.programCount == 1)
        #expect(throws: ScriptError.evaluation("Cannot index number with string \"b\"")) { try run(".a.b", ["a": 5]) }
        #expect(try run(".a.b", ["a": ["b": 2]]) == [2])   // the same state, reset by the next start
        #expect(try run("[.[] | . * 2]", [1, 2]) == [[2, 4]])
        #expect(try run("length", "abc") == [3])
        #expect(cache.programCount == 2)                   // the least recently used program went
        #expect(cache.checkOut(".a.b") == nil)
        #expect(cache.checkOut("length") != nil)
    }

    @Test func jvIsSixteenBytes() {
        #expect(MemoryLayout<JV>.size == 16)
        #expect(MemoryLayout<JV>.alignment == 8)
    }

    @Test func missingLibraryNamesTheDebianPackage() {
        let library = JQ.load(libraryName: missingLibrary)
        do {
            _ = try JQ.run(".", input: nil, library: library)
            Issue.record("expected .unavailable")
        } catch {
            guard case .unavailable(let message) = error else { Issue.record("got \(error)"); return }
            #expect(message.hasPrefix("jq transformation needs \(missingLibrary) (install the Debian package libjq1): "))
        }
    }

    @Test(.disabled(if: JQ.isAvailable, "the package is installed: nothing is missing"))
    func publicAPIReportsAMissingLibrary() {
        #expect {
            try JQ.run(".", input: nil)
        } throws: { error in
            guard case .unavailable(let message)? = error as? ScriptError else { return false }
            return message.contains("libjq1")
        }
    }
}
