@testable import BatonEngine
import BatonSupport
import Testing

private func parseJSON(_ text: String) -> JSONValue {
    (try? JSONParser.parse(text)) ?? .string("<bad test JSON>")
}

/// A document shaped like what `${task.output…}` sees.
private let store = parseJSON(#"""
{
  "output": {
    "name": "top",
    "items": [
      {"id": 1, "price": 5, "tag": "x", "name": "apple"},
      {"id": 2, "price": 12.5, "tag": "x", "name": "pear", "onSale": false},
      {"id": 3, "price": 20, "tag": "y", "name": "fig", "note": null},
      {"id": 4, "price": 15, "tag": "x"}
    ],
    "list": [10, 20, 30, 40, 50],
    "prices": [3, 1.5, 7, 2],
    "empty": [],
    "quoted name": {"x": "spaced"},
    "a.b": "dotted",
    "ключ": {"名前": "unicode"},
    "nested": {"deep": {"name": "inner"}},
    "counts": {"a": 1, "b": 2}
  },
  "input": {"a": {"b": ["first", "second"]}, "flag": true, "n": 0}
}
"""#)

private func path(_ text: String) -> JSONValue? {
    guard let compiled = try? JSONPath(text) else { return .string("<syntax error>") }
    return compiled.evaluate(store)
}

@Suite struct JSONPathTests {
    @Test func definitePathsGiveTheValueItself() {
        #expect(path("input.a.b[0]") == "first")
        #expect(path("input.a.b[1]") == "second")
        #expect(path("input.flag") == true)
        #expect(path("output.nested.deep") == ["name": "inner"])
        #expect(path("output.list") == [10, 20, 30, 40, 50])
        #expect(path("output.items[0].price") == 5)
        #expect(path("output.items[1].price") == 12.5)
        #expect(path("output.items[2].note") == .null)
    }

    @Test func leadingDotDollarAndBracketsAreAccepted() {
        #expect(path(".input.flag") == true)
        #expect(path("$.input.flag") == true)
        #expect(path("['input']['flag']") == true)
        #expect(path("[\"input\"].flag") == true)
        #expect(path("") == store)
        #expect(path("$") == store)
        #expect(path("  input.flag  ") == true)
    }

    @Test func missingThingsAreNil() {
        #expect(path("input.nope") == nil)
        #expect(path("input.nope.deeper") == nil)
        #expect(path("input.a.b[2]") == nil)
        #expect(path("input.a.b[-3]") == nil)
        #expect(path("input.flag.x") == nil)
        #expect(path("input.a[0]") == nil)            // index into an object
        #expect(path("input.a.b.x") == nil)           // name on an array
        #expect(path("input.a.b[9223372036854775807]") == nil)
        #expect(path("input.a.b[-9223372036854775808]") == nil)
    }

    @Test func negativeIndexesCountFromTheEnd() {
        #expect(path("output.list[-1]") == 50)
        #expect(path("output.list[-5]") == 10)
        #expect(path("output.items[-1].id") == 4)
    }

    @Test func quotedNamesMayHoldDotsSpacesAndUnicode() {
        #expect(path("output['quoted name'].x") == "spaced")
        #expect(path("output['a.b']") == "dotted")
        #expect(path(#"output["a.b"]"#) == "dotted")
        #expect(path("output.ключ.名前") == "unicode")
        #expect(path("output['ключ']['名前']") == "unicode")
        #expect(path(#"output['it\'s']"#) == nil)
        #expect(path(#"output['\u0061.b']"#) == "dotted")
    }

    @Test func wildcardsGiveArrays() {
        #expect(path("output.items[*].id") == [1, 2, 3, 4])
        #expect(path("output.counts.*") == [1, 2])
        #expect(path("output.counts[*]") == [1, 2])
        #expect(path("output.list.*") == [10, 20, 30, 40, 50])
        #expect(path("output.items[*].name") == ["apple", "pear", "fig"])
    }

    @Test func wildcardsMatchingNothingGiveEmptyArrays() {
        #expect(path("output.empty[*]") == [])
        #expect(path("output.empty[*].id") == [])
        #expect(path("output.name.*") == [])
        #expect(path("output.missing[*]") == [])
        #expect(path("output.items[*].missing") == [])
    }

    @Test func unionsAndSlices() {
        #expect(path("output.list[0,2]") == [10, 30])
        #expect(path("output.list[0, -1, 99]") == [10, 50])
        #expect(path("output.list[1:3]") == [20, 30])
        #expect(path("output.list[:2]") == [10, 20])
        #expect(path("output.list[-2:]") == [40, 50])
        #expect(path("output.list[3:1]") == [])
        #expect(path("output.list[0:100]") == [10, 20, 30, 40, 50])
        #expect(path("output.list[:]") == [10, 20, 30, 40, 50])
        #expect(path("output.name[0:1]") == [])
    }

    @Test func blanksInsideBracketsAreAllowed() {
        #expect(path("output.list[ 1 ]") == 20)
        #expect(path("output.list[ 0 , 1 ]") == [10, 20])
        #expect(path("output.list[ 1 : 2 ]") == [20])
        #expect(path("output[ 'quoted name' ].x") == "spaced")
        #expect(path("output.items[ ?( @.id == 1 ) ].name") == ["apple"])
    }

    @Test func errorsSayWhereAndPathsAreSendable() throws {
        #expect(throws: JSONPathError(message: "expected a name", offset: 6)) { try JSONPath("input.") }
        let compiled: any Sendable = try JSONPath("input.flag")
        #expect(compiled is JSONPath)
    }

    @Test func multipleNamesMergeAtTheEndAndFanOutInTheMiddle() {
        #expect(path("output.counts['a','b']") == ["a": 1, "b": 2])
        #expect(path("output.counts['a','zzz']") == ["a": 1])
        #expect(path("output['counts','nested'].a") == [1])
    }

    @Test func deepScanFindsEveryMatchInDocumentOrder() {
        #expect(path("output..name") == ["top", "apple", "pear", "fig", "inner"])
        #expect(path("output.nested..name") == ["inner"])
        #expect(path("output..nothing") == [])
        #expect(path("input..b[0]") == ["first"])
        #expect(path("input.a..*") == [["first", "second"], "first", "second"])
        #expect(path("output..[?(@.price > 14)].id") == [3, 4])
    }

    @Test func filtersCompareNumbersStringsBoolsAndNull() {
        #expect(path("output.items[?(@.price > 10)].id") == [2, 3, 4])
        #expect(path("output.items[?(@.price >= 15)].id") == [3, 4])
        #expect(path("output.items[?(@.price < 12.5)].id") == [1])
        #expect(path("output.items[?(@.price <= 12.5)].id") == [1, 2])
        #expect(path("output.items[?(@.price == 12.5)].id") == [2])
        #expect(path("output.items[?(@.price == 20.0)].id") == [3])   // int and double compare by value
        #expect(path("output.items[?(@.tag == 'y')].name") == ["fig"])
        #expect(path(#"output.items[?(@.tag == "y")].name"#) == ["fig"])
        #expect(path("output.items[?(@.tag != 'x')].id") == [3])
        #expect(path("output.items[?(@.name > 'b')].name") == ["pear", "fig"])
        #expect(path("output.items[?(@.onSale == false)].id") == [2])
        #expect(path("output.items[?(@.note == null)].id") == [3])
        #expect(path("output.items[?(@.id == -1)]") == [])
        #expect(path("output.items[?(@.tag == 5)]") == [])            // types differ: no match
        #expect(path("output.list[?(@ > 25)]") == [30, 40, 50])
    }

    @Test func filtersCombineWithAndOrNotAndParentheses() {
        #expect(path("output.items[?(@.price > 10 && @.tag == 'x')].id") == [2, 4])
        #expect(path("output.items[?(@.price<10||@.tag=='y')].id") == [1, 3])
        #expect(path("output.items[?(@.tag == 'x' && (@.id == 1 || @.id == 4))].id") == [1, 4])
        #expect(path("output.items[?(!(@.tag == 'x'))].id") == [3])
        #expect(path("output.items[?@.id == 2].name") == ["pear"])    // parentheses are optional
    }

    @Test func filtersTestExistence() {
        #expect(path("output.items[?(@.name)].id") == [1, 2, 3])
        #expect(path("output.items[?(@.note)].id") == [3])            // present, even though null
        #expect(path("output.items[?(!@.name)].id") == [4])
        #expect(path("output.items[?(@.missing != 'x')].id") == [1, 2, 3, 4])  // undefined differs from all
    }

    @Test func filtersMayUseFunctionsAndTheDocumentRoot() {
        #expect(path("output.items[?(@.name.length() == 3)].id") == [3])
        #expect(path("output.items[?(@.id == $.output.counts.b)].name") == ["pear"])
        #expect(path("output[?(@.name == 'top')].name") == ["top"])   // an object is tested as a whole
    }

    @Test func functionsApplyToWhatComesBefore() {
        #expect(path("output.items.length()") == 4)
        #expect(path("output.items.size()") == 4)
        #expect(path("output.counts.length()") == 2)
        #expect(path("output.name.length()") == 3)
        #expect(path("output.ключ.名前.length()") == 7)
        #expect(path("output.list.min()") == 10)
        #expect(path("output.list.max()") == 50)
        #expect(path("output.list.sum()") == 150)
        #expect(path("output.list.avg()") == 30.0)
        #expect(path("output.prices.min()") == 1.5)
        #expect(path("output.prices.max()") == 7)
        #expect(path("output.prices.sum()") == 13.5)
        #expect(path("output.counts.keys()") == ["a", "b"])
        #expect(path("output.items[*].price.sum()") == 52.5)
        #expect(path("output.items[?(@.tag == 'x')].length()") == 3)
        #expect(path("output..price.max()") == 20)
        #expect(path("output.counts.keys().length()") == 2)
    }

    @Test func functionsOnTheWrongTypeGiveNil() {
        #expect(path("output.empty.sum()") == nil)
        #expect(path("output.empty.avg()") == nil)
        #expect(path("output.empty.length()") == 0)
        #expect(path("input.flag.length()") == nil)
        #expect(path("output.list.keys()") == nil)
        #expect(path("output.missing.length()") == nil)
        #expect(path("output.items.sum()") == nil)                   // no numbers in it
    }

    @Test func sumFallsBackToDoubleOnOverflow() throws {
        let big: JSONValue = ["n": [.int(Int64.max), 1]]
        #expect(try JSONPath("n.sum()").evaluate(big) == .double(Double(Int64.max) + 1))
    }

    @Test(arguments: [
        "input.", "input..", "input[", "input[0", "input['x", "input[?(@.a ==)]", "input.a b",
        "input[?(@.a == 'x']", "input.nope()", "input[x]", "input[1:2:3]", "input.length(1)",
        "input[?(@.a === 1)]", "input[99999999999999999999]", "input..length()", "input[?()]",
    ])
    func syntaxErrorsThrow(_ text: String) {
        #expect(throws: JSONPathError.self) { try JSONPath(text) }
    }

    @Test func deepNestingIsRefusedNotOverflowed() {
        let parens = "a[?" + String(repeating: "(", count: 10_000) + "@.x" + String(repeating: ")", count: 10_000) + "]"
        #expect(throws: JSONPathError.self) { try JSONPath(parens) }
        let nots = "a[?(" + String(repeating: "!", count: 10_000) + "@.x)]"
        #expect(throws: JSONPathError.self) { try JSONPath(nots) }
        let filters = String(repeating: "a[?(@.", count: 5_000) + "x" + String(repeating: ")]", count: 5_000)
        #expect(throws: JSONPathError.self) { try JSONPath(filters) }
    }

    @Test func deepValuesDoNotOverflowTheDeepScan() throws {
        var value: JSONValue = ["name": "bottom"]
        for _ in 0..<2_000 { value = ["child": value] }
        let names = try JSONPath("..name").evaluate(value)
        #expect(names == [])   // beyond the depth cap: not found, but no crash
    }

    @Test func explodingEvaluationsGiveNil() throws {
        var chain: JSONValue = 1
        for _ in 0..<250 { chain = [chain, 1] }
        #expect(try JSONPath("..*..*").evaluate(chain) != nil)
        #expect(try JSONPath("..*..*..*..*").evaluate(chain) == nil)
        let wide: JSONValue = .array(Array(repeating: .array(Array(repeating: 1, count: 300)), count: 300))
        #expect(try JSONPath("[*][?(@ == $..*.length())]").evaluate(wide) == nil)  // every filter scans it all
        #expect(try JSONPath("[*][*].sum()").evaluate(wide) == 90_000)
    }
}

// MARK: - Resolver

private let workflow = parseJSON(#"""
{
  "input": {
    "name": "Ada", "count": 3, "ratio": 0.25, "big": 1e20, "whole": 2.0, "ok": true, "nothing": null,
    "obj": {"a": 1, "b": [true, "x"]}, "list": [1, "two", 3.5], "key": "name", "path": "input.count",
    "ключ": "значение", "quoted name": "q", "items": [{"id": 1, "price": 5}, {"id": 2, "price": 30}],
    "dollar": "${workflow.input.name}", "empty": []
  },
  "output": {},
  "variables": {"v": 7},
  "workflowId": "wf-1",
  "correlationId": null,
  "status": "RUNNING"
}
"""#)

private let task = parseJSON(#"""
{"input": {"x": 1}, "output": {"result": {"code": 200}, "rows": [1, 2]}, "status": "COMPLETED", "taskId": "t-9"}
"""#)

/// Built per use: the resolver is not Sendable (its root closure need not be), so it cannot be a global.
private var resolver: ParameterResolver {
    ParameterResolver { name in
        switch name {
        case "workflow": workflow
        case "fetch": task
        case "CPEWF_TASK_ID": "task-42"
        default: nil
        }
    }
}

private func resolved(_ text: String) -> JSONValue {
    resolver.resolve(.string(text))
}

@Suite struct ParameterResolverTests {
    @Test func wholeStringExpressionsKeepTheirJSONType() {
        #expect(resolved("${workflow.input.obj}") == ["a": 1, "b": [true, "x"]])
        #expect(resolved("${workflow.input.list}") == [1, "two", 3.5])
        #expect(resolved("${workflow.input.count}") == 3)
        #expect(resolved("${workflow.input.ratio}") == 0.25)
        #expect(resolved("${workflow.input.ok}") == true)
        #expect(resolved("${workflow.input.nothing}") == .null)
        #expect(resolved("${workflow.input.name}") == "Ada")
        #expect(resolved("${workflow.correlationId}") == .null)
        #expect(resolved("${ workflow.input.count }") == 3)
    }

    @Test func rootsResolve() {
        #expect(resolved("${workflow.workflowId}") == "wf-1")
        #expect(resolved("${workflow.variables.v}") == 7)
        #expect(resolved("${fetch.output.result.code}") == 200)
        #expect(resolved("${fetch.status}") == "COMPLETED")
        #expect(resolved("${fetch.output.rows[-1]}") == 2)
        #expect(resolved("${CPEWF_TASK_ID}") == "task-42")
        #expect(resolved("${fetch}") == task)
        #expect(resolved("${workflow['input'].count}") == 3)
    }

    @Test func embeddedExpressionsRenderAsText() {
        #expect(resolved("Hello ${workflow.input.name}!") == "Hello Ada!")
        #expect(resolved("n=${workflow.input.count}") == "n=3")
        #expect(resolved("r=${workflow.input.ratio}") == "r=0.25")
        #expect(resolved("w=${workflow.input.whole}") == "w=2.0")
        #expect(resolved("b=${workflow.input.big}") == "b=1e+20")
        #expect(resolved("ok=${workflow.input.ok}") == "ok=true")
        #expect(resolved("null=${workflow.input.nothing}") == "null=null")
        #expect(resolved("missing=${workflow.input.nope}") == "missing=null")
        #expect(resolved("obj=${workflow.input.obj}") == #"obj={"a":1,"b":[true,"x"]}"#)
        #expect(resolved("list=${workflow.input.list}") == #"list=[1,"two",3.5]"#)
        #expect(resolved("${workflow.input.name}-${workflow.input.count}") == "Ada-3")
        #expect(resolved("${workflow.input.count} ") == "3 ")
        #expect(resolved(" ${workflow.input.count}") == " 3")
    }

    @Test func emptyExpressionsBecomeEmptyStrings() {
        #expect(resolved("${}") == "")
        #expect(resolved("${ }") == "")
        #expect(resolved("a${}b${  }c") == "abc")
    }

    @Test func innermostExpressionsResolveFirst() {
        #expect(resolved("${workflow.input.${workflow.input.key}}") == "Ada")
        #expect(resolved("${workflow.${workflow.input.path}}") == 3)
        #expect(resolved("x-${workflow.input.${workflow.input.key}}-y") == "x-Ada-y")
        #expect(resolved("${workflow.input['${workflow.input.key}']}") == "Ada")
        #expect(resolved("${workflow.input.${workflow.input.nope}}") == .null)
    }

    @Test func doubleDollarEscapes() {
        #expect(resolved("$${workflow.input.name}") == "${workflow.input.name}")
        #expect(resolved("a $${x} b ${workflow.input.name}") == "a ${x} b Ada")
        #expect(resolved("$$${workflow.input.name}") == "$${workflow.input.name}")
        #expect(resolved("$${unterminated") == "${unterminated")
        #expect(resolved("cost: $5") == "cost: $5")
    }

    @Test func missingPathsAndUnknownRootsAreNull() {
        #expect(resolved("${workflow.input.nope}") == .null)
        #expect(resolved("${workflow.input.list[7]}") == .null)
        #expect(resolved("${workflow.input.name.first}") == .null)
        #expect(resolved("${unknownTask.output.x}") == .null)
        #expect(resolved("${unknownTask[0]}") == .null)
        #expect(resolved("${fetch__2.output}") == .null)
        #expect(resolved("${workflow.input[}") == .null)          // syntax error → null
        #expect(resolved("${workflow.input.a b}") == .null)
    }

    @Test func bareUnknownNamesStayLiteral() {
        #expect(resolved("${HOME}") == "${HOME}")
        #expect(resolved("home=${HOME}") == "home=${HOME}")
        #expect(resolved("${ PATH }") == "${ PATH }")
    }

    @Test func unterminatedExpressionsStayLiteral() {
        #expect(resolved("${workflow.input.name") == "${workflow.input.name")
        #expect(resolved("x ${") == "x ${")
        #expect(resolved("${a ${workflow.input.name}") == "${a Ada")
        #expect(resolved("}{${workflow.input.count}}") == "}{3}")
    }

    @Test func wildcardsFiltersAndFunctionsWorkThroughTheResolver() {
        #expect(resolved("${workflow.input.empty[*]}") == [])
        #expect(resolved("${workflow.input.items[*].id}") == [1, 2])
        #expect(resolved("${workflow.input.items[?(@.price > 10)].id}") == [2])
        #expect(resolved("${workflow.input.items.length()}") == 2)
        #expect(resolved("${workflow.input.items[?(@.id == '}')]}") == [])  // a quoted brace does not close
        #expect(resolved("ids=${workflow.input.items[*].id}") == "ids=[1,2]")
        #expect(resolved("${workflow.input.obj.keys()}") == ["a", "b"])
    }

    @Test func bracesAndQuotesOutsideExpressionsAreJustText() {
        #expect(resolved(#"{"a":"${workflow.input.name}"}"#) == #"{"a":"Ada"}"#)
        #expect(resolved("${workflow.input.name}'s ${workflow.input.count}") == "Ada's 3")
        #expect(resolved("${it's} ${workflow.input.name}") == "${it's} Ada")
    }

    @Test func unicodeAndQuotedKeys() {
        #expect(resolved("${workflow.input.ключ}") == "значение")
        #expect(resolved("${workflow.input['quoted name']}") == "q")
        #expect(resolved("→ ${workflow.input.ключ} ←") == "→ значение ←")
    }

    @Test func resolvedValuesAreNotResolvedAgain() {
        #expect(resolved("${workflow.input.dollar}") == "${workflow.input.name}")
        #expect(resolved("v: ${workflow.input.dollar}") == "v: ${workflow.input.name}")
    }

    @Test func nestedMapsAndListsResolveButKeysAndNonStringsDoNot() {
        let parameters: JSONObject = [
            "${workflow.input.name}": "${workflow.input.count}",
            "nested": ["list": ["${workflow.input.ok}", 5, ["deep": "${fetch.taskId}"]], "n": 1.5, "z": nil],
            "plain": "no expressions",
            "flag": false,
        ]
        let out = resolver.resolve(parameters)
        #expect(out.keys == ["${workflow.input.name}", "nested", "plain", "flag"])
        #expect(out["${workflow.input.name}"] == 3)
        #expect(out["nested"] == ["list": [true, 5, ["deep": "t-9"]], "n": 1.5, "z": nil])
        #expect(out["plain"] == "no expressions")
        #expect(out["flag"] == false)
    }

    @Test func textRendering() {
        #expect(ParameterResolver.text(of: .int(-7)) == "-7")
        #expect(ParameterResolver.text(of: .double(1.5)) == "1.5")
        #expect(ParameterResolver.text(of: .double(.nan)) == "null")
        #expect(ParameterResolver.text(of: .string("a\"b")) == "a\"b")
        #expect(ParameterResolver.text(of: ["k": "a\"b"]) == #"{"k":"a\"b"}"#)
    }

    @Test func deepNestingDoesNotOverflow() {
        let opens = String(repeating: "${", count: 20_000)
        #expect(resolved(opens) == .string(opens))
        let nested = String(repeating: "${", count: 5_000) + "x" + String(repeating: "}", count: 5_000)
        _ = resolved(nested)
        let dollars = String(repeating: "$", count: 10_000) + "{x}"
        _ = resolved(dollars)
        var deep: JSONValue = "${workflow.input.name}"
        for _ in 0..<1_000 { deep = [deep] }
        _ = resolver.resolve(deep)
    }

    /// Random strings over the characters that matter never crash either the resolver or the path parser.
    @Test func randomInputNeverCrashes() {
        let alphabet = Array("${}[].*?@'\"()!=<>&|,:-0123 workflow.input.itemsfetch\\".unicodeScalars)
        var rng = SplitMix64(seed: 0x5eed)
        for _ in 0..<20_000 {
            let length = Int(rng.next() % 40)
            var s = String.UnicodeScalarView()
            for _ in 0..<length { s.append(alphabet[Int(rng.next() % UInt64(alphabet.count))]) }
            let text = String(s)
            _ = resolved(text)
            _ = resolved("${workflow.input." + text + "}")
            _ = resolved("${workflow.input.items" + text + "}")
            _ = try? JSONPath(text).evaluate(workflow)
            _ = try? JSONPath("input.items" + text).evaluate(workflow)
        }
    }
}

/// Deterministic generator, so a failing fuzz case reproduces.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct ResolverFastPathTests {
    private let value: JSONValue = ["input": ["a": ["b": 1, "list": [1, 2]], "0": "zero", "s": "text"], "n": nil]

    /// The member walk answers exactly what JSONPath answers, or leaves the path to it.
    @Test(arguments: [".input", ".input.a.b", ".input.a.list", ".input.0", ".input.missing", ".input.missing.deeper",
                      ".input.s.length", ".n.x", ".input.a-b", ".input[0]", "..b", ".input.a.list[1]"])
    func memberPathAgreesWithJSONPath(_ path: String) throws {
        let general = (try? JSONPath(path))?.evaluate(value) ?? .null
        if let fast = ParameterResolver.memberPath(path, in: value) { #expect(fast == general, "\(path)") }
    }

    @Test func plainExpressionsSkipTheTemplateScan() {
        #expect(ParameterResolver.singlePlainExpression("${workflow.input.x}") == "workflow.input.x")
        for text in ["${a}${b}", "$${a}", "x ${a}", "${a.${b}}", "${a['}']}", "${}", "${a} "] {
            #expect(ParameterResolver.singlePlainExpression(text) == nil, "\(text)")
        }
        let params: JSONObject = ["k": "${t.output.v}", "m": "${t.output.none}"]
        let resolved = ParameterResolver(root: { $0 == "t" ? ["output": ["v": 3]] : nil }).resolve(params)
        #expect(resolved == ["k": 3, "m": JSONValue.null])
    }
}
