import BatonSupport

/// Parses a Python literal (`{'taskInput': {'x': 1}, 'ok': True, 'none': None}`) into JSON.
/// conductor-python sends a SkipTaskRequest as the `repr` of a dict in a query parameter.
enum PythonLiteral {
    static func parse(_ text: String) -> JSONValue? {
        var p = Parser(chars: Array(text.unicodeScalars))
        guard let v = p.value(depth: 0) else { return nil }
        p.skipSpace()
        return p.index == p.chars.count ? v : nil
    }

    private struct Parser {
        let chars: [Unicode.Scalar]
        var index = 0

        mutating func skipSpace() {
            while index < chars.count, chars[index].properties.isWhitespace { index += 1 }
        }

        mutating func value(depth: Int) -> JSONValue? {
            guard depth < 64 else { return nil }
            skipSpace()
            guard index < chars.count else { return nil }
            switch chars[index] {
            case "{": return dict(depth: depth)
            case "[", "(": return list(close: chars[index] == "[" ? "]" : ")", depth: depth)
            case "'", "\"": return string().map(JSONValue.string)
            default: return scalar()
            }
        }

        mutating func dict(depth: Int) -> JSONValue? {
            index += 1
            var o = JSONObject()
            while true {
                skipSpace()
                guard index < chars.count else { return nil }
                if chars[index] == "}" { index += 1; return .object(o) }
                guard let key = value(depth: depth + 1) else { return nil }
                skipSpace()
                guard index < chars.count, chars[index] == ":" else { return nil }
                index += 1
                guard let v = value(depth: depth + 1) else { return nil }
                let k: String
                switch key {
                case .string(let s): k = s
                default: k = JSONWriter.string(key)
                }
                o[k] = v
                skipSpace()
                if index < chars.count, chars[index] == "," { index += 1 }
            }
        }

        mutating func list(close: Unicode.Scalar, depth: Int) -> JSONValue? {
            index += 1
            var a: [JSONValue] = []
            while true {
                skipSpace()
                guard index < chars.count else { return nil }
                if chars[index] == close { index += 1; return .array(a) }
                guard let v = value(depth: depth + 1) else { return nil }
                a.append(v)
                skipSpace()
                if index < chars.count, chars[index] == "," { index += 1 }
            }
        }

        mutating func string() -> String? {
            let quote = chars[index]
            index += 1
            var out = String.UnicodeScalarView()
            while index < chars.count {
                let c = chars[index]
                index += 1
                if c == quote { return String(out) }
                if c == "\\" {
                    guard index < chars.count else { return nil }
                    let e = chars[index]
                    index += 1
                    switch e {
                    case "n": out.append("\n")
                    case "t": out.append("\t")
                    case "r": out.append("\r")
                    case "\\", "'", "\"": out.append(e)
                    case "x", "u", "U":
                        let n = e == "x" ? 2 : (e == "u" ? 4 : 8)
                        guard index + n <= chars.count, let code = UInt32(String(String.UnicodeScalarView(chars[index..<index + n])), radix: 16),
                              let scalar = Unicode.Scalar(code) else { return nil }
                        out.append(scalar)
                        index += n
                    default:
                        out.append("\\")
                        out.append(e)
                    }
                } else {
                    out.append(c)
                }
            }
            return nil
        }

        mutating func scalar() -> JSONValue? {
            let start = index
            while index < chars.count, !",:}])".unicodeScalars.contains(chars[index]), !chars[index].properties.isWhitespace { index += 1 }
            let word = String(String.UnicodeScalarView(chars[start..<index]))
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .null
            default:
                if let i = Int64(word) { return .int(i) }
                if let d = Double(word) { return .double(d) }
                return nil
            }
        }
    }
}
