import BatonSupport
import Testing

@Suite struct JSONTests {
    @Test func keepsIntegersBooleansAndDoublesApart() throws {
        let v = try JSONParser.parse(#"{"i":1,"b":true,"d":1.5,"big":9007199254740993,"z":0,"neg":-7,"e":1e3}"#)
        #expect(v["i"] == .int(1))
        #expect(v["b"] == .bool(true))
        #expect(v["d"] == .double(1.5))
        #expect(v["big"] == .int(9_007_199_254_740_993))
        #expect(v["neg"] == .int(-7))
        #expect(v["e"] == .double(1000))
        #expect(JSONWriter.string(v) == #"{"i":1,"b":true,"d":1.5,"big":9007199254740993,"z":0,"neg":-7,"e":1000.0}"#)
    }

    @Test func preservesKeyOrder() throws {
        let text = #"{"zeta":1,"alpha":2,"mid":{"y":1,"x":2}}"#
        #expect(JSONWriter.string(try JSONParser.parse(text)) == text)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let v = try JSONParser.parse(#""a\"b\\c\/d\n\u00e9\ud83d\ude00""#)
        #expect(v == .string("a\"b\\c/d\né😀"))
        #expect(JSONWriter.string(.string("q\"\u{1}\n")) == #""q\"\u0001\n""#)
        #expect(JSONWriter.string(.string("plain text é😀")) == "\"plain text é😀\"")
        #expect(JSONWriter.string(.string("ab\"cd\\ef\tgh\r")) == #""ab\"cd\\ef\tgh\r""#)
        #expect(JSONWriter.string(.string("")) == #""""#)
    }

    @Test(arguments: [
        "", "{", "[1,]", "{\"a\":}", "01", "1.", "-", "tru", "\"abc", "\"\\x\"", "{\"a\" 1}", "[1 2]",
        "\"\\ud800\"", "nul", "1 2", "{'a':1}", "\"tab\there\"",
        // Found by the fuzzer: beyond a double's range, written back as null (Tests/fuzz/corpus/json/out-of-range).
        "-77e777777777777", "[1e400]",
    ])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONParser.parse(text) }
    }

    @Test func capsNestingDepth() {
        let deep = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect((try? JSONParser.parse(fine)) != nil)
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xFF, 0xFE, 0x22]) }
    }

    @Test func objectSubscriptReplacesInPlaceAndRemoves() {
        var o: JSONObject = ["a": 1, "b": 2]
        o["a"] = 3
        o["c"] = 4
        o["b"] = nil
        #expect(o.keys == ["a", "c"])
        #expect(JSONWriter.string(.object(o)) == #"{"a":3,"c":4}"#)
    }

    @Test func nonFiniteDoublesBecomeNull() {
        #expect(JSONWriter.string(.array([.double(.infinity), .double(.nan)])) == "[null,null]")
    }
}
