@testable import BatonEngine
import Testing

/// The rewrite is pure text: these run without libjq.
@Suite struct JacksonJQSyntaxTests {
    @Test(arguments: [
        // From OSS's test harness (sequential_json_jq_transform_integration_test.json), shortened.
        (#"{ requestTransform: .input.requestTransform // ".body"  , method: .input.method // "GET" }"#,
         #"{ requestTransform: (.input.requestTransform // ".body"  ), method: (.input.method // "GET" )}"#),
        (#"{a: {b: .c // 1}, d: .e + 1}"#, #"{a: {b: (.c // 1)}, d: (.e + 1)}"#),
        (#"{a: if .x then 1, 2 else 3 end}"#, #"{a: (if .x then 1, 2 else 3 end)}"#),
        (#"{if: .a // 1, "k\(.x // 2)": .b and .c}"#, #"{if: (.a // 1), "k\(.x // 2)": (.b and .c)}"#),
        ("{a: .b // 1 # why\n}", "{a: (.b // 1 # why\n)}"),
        (#"[.[] | {id, v: .v // 0}]"#, #"[.[] | {id, v: (.v // 0)}]"#),
    ])
    func parenthesisesOperatorExpressionsAsObjectValues(_ program: String, _ expected: String) {
        #expect(JacksonJQSyntax.parenthesizingObjectValues(program) == expected)
    }

    @Test(arguments: [
        ".a // 1",                                  // no object
        "{c: (.d // 1), e: [.f, .g], h: $x}",        // one group or one variable each
        ". as {a: [$x, $y], b: $z} | $x",           // a destructuring pattern stays a pattern
        #""{a: .b // 1}""#,                          // inside a string
        "{a: .b // 1",                              // does not balance: libjq's own message stands
        "{a: (.b // 1}",
    ])
    func leavesEverythingElseAlone(_ program: String) {
        #expect(JacksonJQSyntax.parenthesizingObjectValues(program) == nil)
    }

    @Test(arguments: [
        (#".a = .b // "d""#, #".a = (.b // "d")"#),
        (#".a |= . // 1 | .b //= .c // 2"#, #".a |= (. // 1 )| .b //= (.c // 2)"#),
        (#"{x: (.a = .b // 1), y: 2}"#, #"{x: (.a = (.b // 1)), y: 2}"#),
        (#"if .a = .b // 1 then 2 else 3 end"#, #"if .a = (.b // 1 )then 2 else 3 end"#),
        (#"def f: .a = .b // "x\(.c // 1)"; f"#, #"def f: .a = (.b // "x\(.c // 1)"); f"#),
    ])
    func parenthesisesDefinedOrAfterAnAssignment(_ program: String, _ expected: String) {
        #expect(JacksonJQAssignments.parenthesizingDefinedOr(program) == expected)
    }

    @Test(arguments: [
        ".a = .b",                                   // no `//`
        ".a // .b",                                  // no assignment
        ".a == .b // 1",                             // a comparison is not an assignment
        ".a = (.b // 1)",                            // already grouped
        #"".a = .b // 1""#,                          // inside a string
        ".a = reduce .[] as $x (0; . + $x) // 1",    // not a plain right-hand side
        ".a = .b // 1)",                             // does not balance
    ])
    func leavesOtherAssignmentsAlone(_ program: String) {
        #expect(JacksonJQAssignments.parenthesizingDefinedOr(program) == nil)
    }
}
