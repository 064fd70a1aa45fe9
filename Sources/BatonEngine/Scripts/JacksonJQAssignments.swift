/// jackson-jq's precedence of `//` against the assignment operators, on libjq.
///
/// In libjq's grammar `//` binds more loosely than `=`, `|=`, `+=` … `//=`, so `.a = .b // "d"` reads as
/// `(.a = .b) // "d"`; in jackson-jq, which OSS runs, `//` binds more tightly and the same text reads as
/// `.a = (.b // "d")` — what its author meant. Both dialects accept the text, so no compile error gives the
/// difference away: every program is rewritten with such a right-hand side in parentheses (`//` is the only
/// operator between the assignments and `,` in libjq's precedence table, so nothing else changes meaning).
///
/// Only the plain cases are touched: a right-hand side holding `as`, `reduce`, `foreach`, `def`, `label`,
/// `try` or another assignment is left as written, as is anything inside a string.
enum JacksonJQAssignments {
    /// `program` with the right-hand side of each assignment that holds a top-level `//` in parentheses, or
    /// nil when there is none (or the text does not balance).
    static func parenthesizingDefinedOr(_ program: String) -> String? {
        let bytes = Array(program.utf8)
        guard let tokens = tokenize(bytes) else { return nil }
        var insertions: [(position: Int, byte: UInt8)] = []
        for (k, token) in tokens.enumerated() where token.kind == .assignment {
            var sawDefinedOr = false, plain = true
            var end = bytes.count
            for next in tokens[(k + 1)...] {
                if next.depth < token.depth || (next.depth == token.depth && next.kind == .terminator) {
                    end = next.position
                    break
                }
                switch next.kind {
                case .definedOr where next.depth == token.depth: sawDefinedOr = true
                case .assignment where next.depth == token.depth, .unusual: plain = false
                default: break
                }
            }
            guard sawDefinedOr && plain else { continue }
            var start = token.end
            while start < end, JQSourceText.isBlank(bytes[start]) { start += 1 }
            insertions.append((start, UInt8(ascii: "(")))
            insertions.append((end, UInt8(ascii: ")")))
        }
        guard !insertions.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + insertions.count)
        var pending = insertions.sorted { $0.position < $1.position }[...]
        for (i, byte) in bytes.enumerated() {
            while let p = pending.first, p.position == i { out.append(p.byte); pending.removeFirst() }
            out.append(byte)
        }
        for p in pending { out.append(p.byte) }
        return String(decoding: out, as: UTF8.self)
    }

    struct Token {
        enum Kind { case assignment, definedOr, terminator, unusual }
        var kind: Kind
        var position: Int   // where it starts
        var end: Int        // just after it
        var depth: Int      // brackets and `if … end` blocks around it
    }

    /// The tokens the rewrite looks at; nil when strings or brackets do not balance.
    static func tokenize(_ b: [UInt8]) -> [Token]? {
        var tokens: [Token] = []
        var depth = 0, i = 0
        func byte(_ j: Int) -> UInt8 { j < b.count ? b[j] : 0 }
        func add(_ kind: Token.Kind, _ length: Int) { tokens.append(Token(kind: kind, position: i, end: i + length, depth: depth)) }
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                guard let after = skipString(b, from: i) else { return nil }
                i = after
                continue
            case UInt8(ascii: "#"):
                while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
                continue
            case UInt8(ascii: "("), UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: ")"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                guard depth >= 0 else { return nil }
                add(.terminator, 1)
            case UInt8(ascii: ","), UInt8(ascii: ";"): add(.terminator, 1)
            case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                if byte(i + 1) == UInt8(ascii: "=") { i += 2; continue }   // a comparison
                if c == UInt8(ascii: "=") { add(.assignment, 1) }
            case UInt8(ascii: "|"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "*"), UInt8(ascii: "%"):
                if byte(i + 1) == UInt8(ascii: "=") { add(.assignment, 2); i += 2; continue }
                if c == UInt8(ascii: "|") { add(.terminator, 1) }
            case UInt8(ascii: "/"):
                if byte(i + 1) == UInt8(ascii: "/") {
                    if byte(i + 2) == UInt8(ascii: "=") { add(.assignment, 3); i += 3 } else { add(.definedOr, 2); i += 2 }
                    continue
                }
                if byte(i + 1) == UInt8(ascii: "=") { add(.assignment, 2); i += 2; continue }
            default:
                guard JQSourceText.isWordStart(c) else { break }
                let start = i
                while i < b.count, JQSourceText.isWordByte(b[i]) { i += 1 }
                // A word after `.` or `$` is a field or a variable, not a keyword.
                guard start == 0 || (b[start - 1] != UInt8(ascii: ".") && b[start - 1] != UInt8(ascii: "$")) else { continue }
                let word = String(decoding: b[start..<i], as: UTF8.self)
                let saved = i
                i = start
                switch word {
                case "if": depth += 1
                case "end":
                    depth -= 1
                    guard depth >= 0 else { return nil }
                    add(.terminator, 3)
                case "then", "elif", "else", "catch": add(.terminator, word.utf8.count)
                case "as", "reduce", "foreach", "def", "label", "try", "import", "include": add(.unusual, word.utf8.count)
                default: break
                }
                i = saved
                continue
            }
            i += 1
        }
        return depth == 0 ? tokens : nil
    }

    /// The position after the string that opens at `start`, interpolations (`\(…)`, strings inside them
    /// included) skipped whole; nil when it does not end.
    private static func skipString(_ b: [UInt8], from start: Int) -> Int? {
        var i = start + 1
        while i < b.count {
            switch b[i] {
            case UInt8(ascii: "\\"):
                guard i + 1 < b.count else { return nil }
                if b[i + 1] == UInt8(ascii: "(") {
                    var parens = 1
                    i += 2
                    while i < b.count, parens > 0 {
                        if b[i] == UInt8(ascii: "\"") {
                            guard let after = skipString(b, from: i) else { return nil }
                            i = after
                            continue
                        }
                        if b[i] == UInt8(ascii: "(") { parens += 1 } else if b[i] == UInt8(ascii: ")") { parens -= 1 }
                        i += 1
                    }
                    guard parens == 0 else { return nil }
                    continue
                }
                i += 2
            case UInt8(ascii: "\""): return i + 1
            default: i += 1
            }
        }
        return nil
    }
}
