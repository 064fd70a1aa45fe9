import BatonSupport

/// Resolves Conductor's `${...}` expressions in input parameters (task inputs, workflow output,
/// SUB_WORKFLOW params, DO_WHILE items).
///
/// Every string anywhere in the value is resolved; keys and non-strings are left alone. A string that is
/// exactly one expression takes the referenced value with its JSON type; otherwise each expression is
/// replaced by its text. Missing values, bad paths and unknown roots give null, never an error: a
/// workflow author's typo must not fail the scheduling of a task.
///
/// Baton differs from OSS Conductor on purpose in two places: maps and lists embedded in a longer
/// string render as compact JSON (OSS writes Java's `{a=1}`), and a bare unknown name such as `${HOME}`
/// stays as literal text (OSS would read the server's environment, which Baton does not expose).
public struct ParameterResolver {
    /// How deep `${a.${b.${c}}}` may nest; deeper inner text is used as it stands (and will not resolve).
    static let maxNesting = 16
    /// How deep inside nested maps and lists strings are still resolved; deeper values pass through.
    static let maxValueDepth = 256

    private let root: (String) -> JSONValue?

    /// `root(name)` gives the value a path's first segment names: "workflow" → the workflow object
    /// ({input, output, variables, workflowId, correlationId, status, ...}), a task reference name →
    /// that task's object ({input, output, status, taskId, ...}), "CPEWF_TASK_ID" → string. nil = unknown.
    public init(root: @escaping (String) -> JSONValue?) {
        self.root = root
    }

    public func resolve(_ parameters: JSONObject) -> JSONObject {
        resolve(parameters, depth: 0)
    }

    public func resolve(_ value: JSONValue) -> JSONValue {
        resolve(value, depth: 0)
    }

    // MARK: Walking values

    private func resolve(_ value: JSONValue, depth: Int) -> JSONValue {
        guard depth < Self.maxValueDepth else { return value }
        switch value {
        case .string(let text): return resolve(string: text)
        case .array(let elements): return .array(elements.map { resolve($0, depth: depth + 1) })
        case .object(let object): return .object(resolve(object, depth: depth + 1))
        default: return value
        }
    }

    private func resolve(_ object: JSONObject, depth: Int) -> JSONObject {
        var out = JSONObject()
        for (key, value) in object { out[key] = resolve(value, depth: depth) }
        return out
    }

    /// One string: typed when it is a single expression, otherwise text with each expression rendered.
    private func resolve(string text: String) -> JSONValue {
        guard text.unicodeScalars.contains("$") else { return .string(text) }
        // Most values are one plain expression, `${a.b.c}`: no template scan needed for those.
        if let inner = Self.singlePlainExpression(text) {
            switch evaluate(expression: inner, nesting: 0) {
            case .value(let value): return value
            case .unresolved(let literal): return .string(literal)
            }
        }
        let pieces = Template.pieces(of: text)
        if pieces.count == 1, case .expression(let inner) = pieces[0] {
            switch evaluate(expression: inner, nesting: 0) {
            case .value(let value): return value
            case .unresolved(let literal): return .string(literal)
            }
        }
        return .string(render(pieces, nesting: 0))
    }

    // MARK: Expressions

    /// What one `${...}` stands for: a value, or its own text when it names nothing Baton resolves.
    private enum Resolution {
        case value(JSONValue)
        case unresolved(String)
    }

    /// Resolves the text between `${` and `}`: inner expressions first, then `root name` + JSONPath.
    private func evaluate(expression inner: String, nesting: Int) -> Resolution {
        var path = inner
        if nesting < Self.maxNesting, inner.unicodeScalars.contains("$") {
            path = render(Template.pieces(of: inner), nesting: nesting + 1)
        }
        path = Self.trimmed(path)
        if path.isEmpty { return .value(.string("")) }  // ${} and ${ }

        let (name, rest) = Self.splitRoot(path)
        guard let base = root(name) else {
            // A bare name would be an environment variable in OSS; Baton keeps it as written.
            return rest.isEmpty ? .unresolved("${" + inner + "}") : .value(.null)
        }
        if rest.isEmpty { return .value(base) }
        if let value = Self.memberPath(rest, in: base) { return .value(value) }
        guard let jsonPath = try? JSONPath(rest) else { return .value(.null) }
        return .value(jsonPath.evaluate(base) ?? .null)
    }

    private func render(_ pieces: [Template.Piece], nesting: Int) -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case .text(let text):
                out += text
            case .expression(let inner):
                switch evaluate(expression: inner, nesting: nesting) {
                case .value(let value): out += Self.text(of: value)
                case .unresolved(let literal): out += literal
                }
            }
        }
        return out
    }

    /// How a value reads inside a longer string: strings bare, numbers and booleans plainly (integers
    /// without `.0`), null as `null`, maps and lists as compact JSON.
    static func text(of value: JSONValue) -> String {
        switch value {
        case .string(let s): s
        case .int(let i): String(i)
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        case .double, .array, .object: JSONWriter.string(value)
        }
    }

    /// The inner text of a string that is exactly `${...}` with no nested expression, brace, quote or
    /// dollar inside: the template scan would find just that one expression.
    static func singlePlainExpression(_ text: String) -> String? {
        let u = text.utf8
        guard u.count > 3, u.starts(with: "${".utf8), u.last == UInt8(ascii: "}") else { return nil }
        let inner = u.dropFirst(2).dropLast()
        for c in inner where c == UInt8(ascii: "{") || c == UInt8(ascii: "}") || c == UInt8(ascii: "$")
            || c == UInt8(ascii: "'") || c == UInt8(ascii: "\"") {
            return nil
        }
        return String(decoding: inner, as: UTF8.self)
    }

    /// `.a.b.c` through nested objects, the common case, without parsing a JSONPath. Nil when the path
    /// is anything else or meets a non-object on the way (JSONPath decides those).
    static func memberPath(_ path: String, in base: JSONValue) -> JSONValue? {
        var value = base
        var key: [UInt8] = []
        func isPlain(_ c: UInt8) -> Bool {
            (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c == 95
        }
        func step() -> Bool {
            guard !key.isEmpty, case .object(let o) = value else { return false }
            value = o[String(decoding: key, as: UTF8.self)] ?? .null
            key.removeAll(keepingCapacity: true)
            return true
        }
        var first = true
        for c in path.utf8 {
            if c == UInt8(ascii: ".") {
                if !first { guard step() else { return nil } }
                first = false
            } else if isPlain(c) && !first {
                key.append(c)
            } else {
                return nil
            }
        }
        guard step() else { return nil }
        return value
    }

    /// Splits `task.output.x` into the root name `task` and the path `.output.x` (which keeps its `.`/`[`).
    static func splitRoot(_ path: String) -> (name: String, rest: String) {
        let scalars = path.unicodeScalars
        guard let end = scalars.firstIndex(where: { $0 == "." || $0 == "[" }) else { return (path, "") }
        return (String(scalars[..<end]), String(scalars[end...]))
    }

    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })
        else { return "" }
        return String(scalars[first...last])
    }
}

// MARK: - Template scanning

extension ParameterResolver {
    /// Splits a string into literal text and `${...}` expressions.
    enum Template {
        enum Piece: Equatable {
            case text(String)
            case expression(String)  // the text between `${` and its `}`, unresolved
        }

        /// `$${x}` is an escape for the literal `${x}`; an unterminated `${` stays literal text.
        static func pieces(of text: String) -> [Piece] {
            let s = Array(text.unicodeScalars)
            let closing = closingBraces(in: s)
            var pieces: [Piece] = []
            var literal = String.UnicodeScalarView()
            func flush() {
                if !literal.isEmpty { pieces.append(.text(String(literal))) }
                literal = String.UnicodeScalarView()
            }
            var i = 0
            while i < s.count {
                if starts(s, at: i, with: "${"), let close = closing[i + 1] {
                    flush()
                    pieces.append(.expression(String(String.UnicodeScalarView(s[(i + 2)..<close]))))
                    i = close + 1
                } else if starts(s, at: i, with: "$${") {
                    let end = closing[i + 2].map { $0 + 1 } ?? i + 3
                    literal.append(contentsOf: "${".unicodeScalars)
                    literal.append(contentsOf: s[(i + 3)..<end])
                    i = end
                } else {
                    literal.append(s[i])
                    i += 1
                }
            }
            flush()
            return pieces
        }

        private static func starts(_ s: [Unicode.Scalar], at i: Int, with prefix: String) -> Bool {
            var j = i
            for c in prefix.unicodeScalars {
                guard j < s.count, s[j] == c else { return false }
                j += 1
            }
            return true
        }

        /// Position of each `{`'s matching `}`. Quotes inside an expression hide braces (so a filter like
        /// `[?(@.s == '}')]` works); where that leaves a brace unmatched (an apostrophe in plain text after
        /// an unterminated `${`), plain brace counting decides. Both passes are linear, so hostile input
        /// with thousands of `${` cannot make resolution quadratic.
        static func closingBraces(in s: [Unicode.Scalar]) -> [Int: Int] {
            let plain = matchBraces(in: s, honoringQuotes: false)
            return plain.merging(matchBraces(in: s, honoringQuotes: true)) { _, quoted in quoted }
        }

        private static func matchBraces(in s: [Unicode.Scalar], honoringQuotes: Bool) -> [Int: Int] {
            var open: [(position: Int, isExpression: Bool)] = []
            var openExpressions = 0
            var quote: Unicode.Scalar?
            var matches: [Int: Int] = [:]
            var i = 0
            while i < s.count {
                let c = s[i]
                if let q = quote {
                    if c == "\\" { i += 1 } else if c == q { quote = nil }
                } else if honoringQuotes && openExpressions > 0 && (c == "'" || c == "\"") {
                    quote = c
                } else if c == "{" {
                    let isExpression = i > 0 && s[i - 1] == "$"
                    open.append((i, isExpression))
                    if isExpression { openExpressions += 1 }
                } else if c == "}", let opener = open.popLast() {
                    matches[opener.position] = i
                    if opener.isExpression { openExpressions -= 1 }
                }
                i += 1
            }
            return matches
        }
    }
}
