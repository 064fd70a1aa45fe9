import BatonSupport

/// Why a path could not be compiled; `offset` counts Unicode scalars from the start of the text.
public struct JSONPathError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    public var description: String { "\(message) at \(offset)" }
}

/// The subset of Jayway JSONPath that Conductor expressions use, without the leading `$.` (the caller has
/// already taken the root name off: `${workflow.input.x}` evaluates `input.x` on the workflow object).
///
/// Results follow Jayway: a *definite* path (names and single indexes only) yields the value itself or nil
/// when it is missing; an *indefinite* one (wildcard, deep scan, filter, union, slice) yields an array of
/// every match, `[]` when nothing matches. A function (`length()`, `sum()`, …) applies to the result so far.
///
/// Compiling never crashes on any text, and evaluation is bounded: deep scans stop at `maxDepth` levels,
/// filters nest at most `maxNesting` deep, and an evaluation that would take more than `maxSteps` steps
/// (values gathered or visited, filters included) gives nil, so `..*..*..*` on a big output cannot stall
/// the scheduler.
public struct JSONPath: Sendable {
    static let maxDepth = 256
    static let maxNesting = 32
    static let maxSteps = 1_000_000

    let segments: [Segment]

    public init(_ text: String) throws(JSONPathError) {
        var parser = Parser(text)
        segments = try parser.parsePath()
    }

    init(segments: [Segment]) { self.segments = segments }

    /// The value the path selects in `root`; nil when a definite path finds nothing.
    public func evaluate(_ root: JSONValue) -> JSONValue? {
        let context = Context(document: root)
        let result = evaluate(root, context: context)
        return context.isExhausted ? nil : result
    }

    /// `value` is where this path starts (`@` in a filter); the context holds `$` and the step budget.
    func evaluate(_ value: JSONValue, context: JSONPath.Context) -> JSONValue? {
        var nodes = [value]
        var isDefinite = true
        for (i, segment) in segments.enumerated() {
            guard !context.isExhausted else { return nil }
            let isLeaf = i == segments.count - 1
            switch segment {
            case .child(let selector):
                guard let next = Self.gather(nodes, context: context, { selector.select(from: $0, isLeaf: isLeaf, context: context) })
                else { return nil }
                nodes = next
                isDefinite = isDefinite && selector.isDefinite(isLeaf: isLeaf)
            case .descendants(let selector):
                guard let next = Self.gather(nodes, context: context, { selector.selectDescendants(of: $0, context: context) })
                else { return nil }
                nodes = next
                isDefinite = false
            case .function(let function):
                guard let input = Self.result(nodes, isDefinite: isDefinite), let output = function.apply(to: input)
                else { return nil }
                nodes = [output]
                isDefinite = true
            }
        }
        return Self.result(nodes, isDefinite: isDefinite)
    }

    /// Jayway's answer shape: the single value of a definite path, or the list of an indefinite one.
    static func result(_ nodes: [JSONValue], isDefinite: Bool) -> JSONValue? {
        isDefinite ? nodes.first : .array(nodes)
    }

    /// Applies `step` to every node, paying one step per node or match; nil once the budget is gone.
    static func gather(
        _ nodes: [JSONValue], context: Context, _ step: (JSONValue) -> [JSONValue]?
    ) -> [JSONValue]? {
        var out: [JSONValue] = []
        for node in nodes {
            guard let selected = step(node), context.spend(Swift.max(1, selected.count)) else { return nil }
            out.append(contentsOf: selected)
        }
        return out
    }

    /// One evaluation's document (what `$` means in a filter) and its remaining step budget. A class so
    /// that filter sub-paths draw on the same budget; it never leaves the evaluation that made it.
    final class Context {
        let document: JSONValue
        private var remaining = JSONPath.maxSteps

        init(document: JSONValue) { self.document = document }

        var isExhausted: Bool { remaining < 0 }

        /// false once the budget is spent.
        func spend(_ steps: Int) -> Bool {
            remaining -= steps
            return !isExhausted
        }
    }
}

// MARK: - Path model

extension JSONPath {
    /// One step of a path.
    enum Segment: Sendable {
        case child(Selector)        // .name, .*, [...]
        case descendants(Selector)  // ..name, ..*, ..[...]
        case function(Function)     // .length() and friends
    }

    /// What a step picks out of a node.
    enum Selector: Sendable {
        case name(String)
        case names([String])                // ['a','b']
        case index(Int)                     // negative counts from the end
        case indexes([Int])                 // [0,2]
        case slice(start: Int?, end: Int?)  // [1:3], [-2:], [:2]
        case wildcard
        case filter(Filter)

        /// Jayway treats a multi-name selection at the end of a path as one merged object, hence definite.
        func isDefinite(isLeaf: Bool) -> Bool {
            switch self {
            case .name, .index: true
            case .names: isLeaf
            default: false
            }
        }
    }
}

// MARK: - Selection

extension JSONPath.Selector {
    func select(from node: JSONValue, isLeaf: Bool, context: JSONPath.Context) -> [JSONValue] {
        switch self {
        case .name(let name):
            return node[name].map { [$0] } ?? []
        case .names(let names):
            return selectNames(names, from: node, merging: isLeaf)
        case .index(let index):
            return Self.element(of: node, at: index).map { [$0] } ?? []
        case .indexes(let indexes):
            return indexes.compactMap { Self.element(of: node, at: $0) }
        case .slice(let start, let end):
            return Self.slice(of: node, start: start, end: end)
        case .wildcard:
            return Self.children(of: node)
        case .filter(let filter):
            return selectMatching(filter, from: node, context: context)
        }
    }

    /// `..x`: applies the selector to the node and to every node below it, in document order. A filter
    /// tests each non-array node once (not also as an array element, which would list it twice).
    func selectDescendants(of node: JSONValue, context: JSONPath.Context) -> [JSONValue]? {
        var out: [JSONValue] = []
        let finished = JSONPath.visit(node, depth: 0) { current in
            if case .filter(let filter) = self {
                if current.arrayValue == nil && filter.matches(current, context: context) { out.append(current) }
            } else {
                out.append(contentsOf: select(from: current, isLeaf: false, context: context))
            }
            return context.spend(1)
        }
        return finished ? out : nil
    }

    private func selectNames(_ names: [String], from node: JSONValue, merging: Bool) -> [JSONValue] {
        guard let object = node.objectValue else { return [] }
        guard merging else { return names.compactMap { object[$0] } }
        var merged = JSONObject()
        for name in names { merged[name] = object[name] }
        return [.object(merged)]
    }

    /// Jayway filters an array element by element, but tests an object as a whole.
    private func selectMatching(_ filter: JSONPath.Filter, from node: JSONValue, context: JSONPath.Context) -> [JSONValue] {
        switch node {
        case .array(let elements): elements.filter { filter.matches($0, context: context) }
        case .object: filter.matches(node, context: context) ? [node] : []
        default: []
        }
    }

    static func element(of node: JSONValue, at index: Int) -> JSONValue? {
        guard let array = node.arrayValue else { return nil }
        let position = index < 0 ? array.count + index : index
        // Not a ternary: JSONValue is ExpressibleByNilLiteral, so `cond ? v : nil` would give `.null`.
        guard array.indices.contains(position) else { return nil }
        return array[position]
    }

    /// Python-style bounds: negative from the end, clamped to the array.
    static func slice(of node: JSONValue, start: Int?, end: Int?) -> [JSONValue] {
        guard let array = node.arrayValue else { return [] }
        func clamp(_ i: Int) -> Int { Swift.min(Swift.max(i < 0 ? array.count + i : i, 0), array.count) }
        let lower = clamp(start ?? 0)
        let upper = clamp(end ?? array.count)
        return lower < upper ? Array(array[lower..<upper]) : []
    }

    static func children(of node: JSONValue) -> [JSONValue] {
        switch node {
        case .array(let elements): elements
        case .object(let object): object.map(\.value)
        default: []
        }
    }
}

extension JSONPath {
    /// Pre-order walk of `node` and everything below it; `body` returns false to stop. Depth is capped so
    /// a hand-built, very deep value cannot overflow the (small) stack of a Dispatch thread.
    @discardableResult
    static func visit(_ node: JSONValue, depth: Int, _ body: (JSONValue) -> Bool) -> Bool {
        guard body(node) else { return false }
        guard depth < maxDepth else { return true }
        for child in Selector.children(of: node) {
            guard visit(child, depth: depth + 1, body) else { return false }
        }
        return true
    }
}

// MARK: - Functions

extension JSONPath {
    /// The functions Conductor users rely on. `avg` is always a double; `min`/`max` return the element
    /// itself and `sum` stays an integer while every input is one (Jayway would give doubles throughout).
    enum Function: String, Sendable, CaseIterable {
        case length, size, min, max, sum, avg, keys

        func apply(to value: JSONValue) -> JSONValue? {
            switch self {
            case .length, .size: Self.count(of: value)
            case .keys: value.objectValue.map { .array($0.keys.map(JSONValue.string)) }
            case .min: Self.extreme(of: value) { $0 < 0 }
            case .max: Self.extreme(of: value) { $0 > 0 }
            case .sum: Self.numbers(in: value).flatMap(Self.sum)
            case .avg: Self.average(of: value)
            }
        }

        private static func count(of value: JSONValue) -> JSONValue? {
            switch value {
            case .array(let a): .int(Int64(a.count))
            case .object(let o): .int(Int64(o.count))
            case .string(let s): .int(Int64(s.count))
            default: nil
            }
        }

        /// The numbers of an array, skipping anything else as Jayway does; nil when there are none.
        private static func numbers(in value: JSONValue) -> [JSONValue]? {
            let numbers = value.arrayValue?.filter { $0.doubleValue != nil } ?? []
            return numbers.isEmpty ? nil : numbers
        }

        private static func extreme(of value: JSONValue, isBetter: (Int) -> Bool) -> JSONValue? {
            guard let numbers = numbers(in: value) else { return nil }
            return numbers.dropFirst().reduce(numbers[0]) { best, next in
                JSONPath.compareNumbers(next, best).map(isBetter) == true ? next : best
            }
        }

        private static func sum(_ numbers: [JSONValue]) -> JSONValue {
            var total: Int64 = 0
            for n in numbers {
                guard case .int(let i) = n else { return .double(doubleSum(numbers)) }
                let (partial, overflow) = total.addingReportingOverflow(i)
                if overflow { return .double(doubleSum(numbers)) }
                total = partial
            }
            return .int(total)
        }

        private static func doubleSum(_ numbers: [JSONValue]) -> Double {
            numbers.reduce(0) { $0 + ($1.doubleValue ?? 0) }
        }

        private static func average(of value: JSONValue) -> JSONValue? {
            guard let numbers = numbers(in: value) else { return nil }
            return .double(doubleSum(numbers) / Double(numbers.count))
        }
    }

    /// Orders two numbers: integers exactly, anything involving a double as doubles. nil for non-numbers/NaN.
    static func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
        if case .int(let x) = a, case .int(let y) = b { return x < y ? -1 : (x == y ? 0 : 1) }
        guard let x = a.doubleValue, let y = b.doubleValue, !x.isNaN, !y.isNaN else { return nil }
        return x < y ? -1 : (x == y ? 0 : 1)
    }
}

// MARK: - Filters

extension JSONPath {
    /// A `[?(...)]` predicate.
    indirect enum Filter: Sendable {
        case or(Filter, Filter)
        case and(Filter, Filter)
        case not(Filter)
        case exists(Operand)                          // [?(@.k)]: the path finds something (even null)
        case comparison(Operand, Comparison, Operand)

        func matches(_ node: JSONValue, context: JSONPath.Context) -> Bool {
            switch self {
            case .or(let a, let b): a.matches(node, context: context) || b.matches(node, context: context)
            case .and(let a, let b): a.matches(node, context: context) && b.matches(node, context: context)
            case .not(let f): !f.matches(node, context: context)
            case .exists(let operand): operand.isTruthy(at: node, context: context)
            case .comparison(let l, let op, let r):
                op.holds(l.value(at: node, context: context), r.value(at: node, context: context))
            }
        }
    }

    enum Operand: Sendable {
        case current(JSONPath)  // @...
        case root(JSONPath)     // $...
        case literal(JSONValue)

        /// nil means "undefined": the path found nothing.
        func value(at node: JSONValue, context: JSONPath.Context) -> JSONValue? {
            switch self {
            case .current(let path): path.evaluate(node, context: context)
            case .root(let path): path.evaluate(context.document, context: context)
            case .literal(let value): value
            }
        }

        /// A lone path tests existence (Jayway); a lone literal tests its own truth (`[?(true)]`).
        func isTruthy(at node: JSONValue, context: JSONPath.Context) -> Bool {
            switch self {
            case .literal(let value): value != .null && value != .bool(false)
            default: value(at: node, context: context) != nil
            }
        }
    }

    enum Comparison: String, Sendable, CaseIterable {
        case equal = "==", notEqual = "!=", lessOrEqual = "<=", greaterOrEqual = ">=", less = "<", greater = ">"

        /// Numbers compare by value (1 == 1.0), strings by text, other types only with their own kind; an
        /// undefined side equals nothing, so `!=` holds for it (Jayway does the same).
        func holds(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
            switch self {
            case .equal: return Self.equal(left, right)
            case .notEqual: return !Self.equal(left, right)
            default:
                guard let left, let right, let order = Self.order(left, right) else { return false }
                switch self {
                case .less: return order < 0
                case .lessOrEqual: return order <= 0
                case .greater: return order > 0
                default: return order >= 0
                }
            }
        }

        private static func equal(_ left: JSONValue?, _ right: JSONValue?) -> Bool {
            guard let left, let right else { return false }
            if let order = JSONPath.compareNumbers(left, right) { return order == 0 }
            return left == right
        }

        private static func order(_ left: JSONValue, _ right: JSONValue) -> Int? {
            if let order = JSONPath.compareNumbers(left, right) { return order }
            guard case .string(let a) = left, case .string(let b) = right else { return nil }
            return a < b ? -1 : (a == b ? 0 : 1)
        }
    }
}

// MARK: - Parsing

extension JSONPath {
    /// Recursive-descent parser over Unicode scalars (not Characters, so a combining mark after a quote
    /// cannot hide the quote). Every recursion goes through `nest`, which caps the depth.
    struct Parser {
        private let scalars: [Unicode.Scalar]
        private var position = 0
        private var nesting = 0

        init(_ text: String) { scalars = Array(text.unicodeScalars) }

        /// A whole path: an optional `$`, an optional bare first name, then segments, then the end.
        mutating func parsePath() throws(JSONPathError) -> [Segment] {
            skipWhitespace()
            if peek() == "$", peek(1) == nil || peek(1) == "." || peek(1) == "[" { position += 1 }
            var segments: [Segment] = []
            if peek() == "*" {
                position += 1
                segments.append(.child(.wildcard))
            } else if let c = peek(), c != ".", c != "[" {
                segments.append(try parseNameSegment(inFilter: false))
            }
            try parseSegments(into: &segments, inFilter: false)
            skipWhitespace()
            guard position == scalars.count else { throw error("unexpected character") }
            return segments
        }

        // MARK: Segments

        /// Reads `.name`, `.*`, `..x`, `[...]` and functions until something else comes (in a filter, an
        /// operator or closing bracket ends the path).
        private mutating func parseSegments(into segments: inout [Segment], inFilter: Bool) throws(JSONPathError) {
            while let c = peek() {
                if c == "[" {
                    segments.append(.child(try parseBracket()))
                } else if c == "." && peek(1) == "." {
                    position += 2
                    segments.append(.descendants(try parseDescendantSelector(inFilter: inFilter)))
                } else if c == "." {
                    position += 1
                    if peek() == "*" {
                        position += 1
                        segments.append(.child(.wildcard))
                    } else {
                        segments.append(try parseNameSegment(inFilter: inFilter))
                    }
                } else {
                    return
                }
            }
        }

        private mutating func parseDescendantSelector(inFilter: Bool) throws(JSONPathError) -> Selector {
            switch peek() {
            case "*": position += 1; return .wildcard
            case "[": return try parseBracket()
            default:
                let name = try readName(inFilter: inFilter)
                guard peek() != "(" else { throw error("a function cannot follow '..'") }
                return .name(name)
            }
        }

        /// A dotted name, or a function when `(` follows it.
        private mutating func parseNameSegment(inFilter: Bool) throws(JSONPathError) -> Segment {
            let start = position
            let name = try readName(inFilter: inFilter)
            guard peek() == "(" else { return .child(.name(name)) }
            guard let function = Function(rawValue: name) else {
                throw JSONPathError(message: "unknown function \(name)()", offset: start)
            }
            position += 1
            skipWhitespace()
            try expect(")")
            return .function(function)
        }

        /// Jayway ends a dotted name at `.`, `[` or `(`; blanks are an error there ("use ['my prop']").
        /// Inside a filter, operators and closing brackets end it too.
        private mutating func readName(inFilter: Bool) throws(JSONPathError) -> String {
            let start = position
            while let c = peek(), !Self.endsName(c, inFilter: inFilter) { position += 1 }
            guard position > start else { throw error("expected a name") }
            return String(String.UnicodeScalarView(scalars[start..<position]))
        }

        private static func endsName(_ c: Unicode.Scalar, inFilter: Bool) -> Bool {
            if c == "." || c == "[" || c == "(" || c.properties.isWhitespace { return true }
            return inFilter && "])=!<>&|,".unicodeScalars.contains(c)
        }

        // MARK: Brackets

        /// `['a']`, `['a','b']`, `[*]`, `[?(...)]`, `[1]`, `[0,2]`, `[1:3]`.
        private mutating func parseBracket() throws(JSONPathError) -> Selector {
            try expect("[")
            skipWhitespace()
            let selector: Selector
            switch peek() {
            case "'", "\"":
                selector = try parseNames()
            case "*":
                position += 1
                selector = .wildcard
            case "?":
                position += 1
                selector = .filter(try nest { (p: inout Parser) throws(JSONPathError) in try p.parseOr() })
            default:
                selector = try parseIndexes()
            }
            skipWhitespace()
            try expect("]")
            return selector
        }

        private mutating func parseNames() throws(JSONPathError) -> Selector {
            var names = [try readQuoted()]
            while skipWhitespace(), peek() == "," {
                position += 1
                skipWhitespace()
                names.append(try readQuoted())
            }
            return names.count == 1 ? .name(names[0]) : .names(names)
        }

        private mutating func parseIndexes() throws(JSONPathError) -> Selector {
            let first = try readInteger(optional: true)
            skipWhitespace()
            if peek() == ":" {
                position += 1
                skipWhitespace()
                return .slice(start: first, end: try readInteger(optional: true))
            }
            guard let first else { throw error("expected an index") }
            var indexes = [first]
            while peek() == "," {
                position += 1
                skipWhitespace()
                guard let next = try readInteger(optional: false) else { throw error("expected an index") }
                indexes.append(next)
                skipWhitespace()
            }
            return indexes.count == 1 ? .index(first) : .indexes(indexes)
        }

        private mutating func readInteger(optional: Bool) throws(JSONPathError) -> Int? {
            let start = position
            if peek() == "-" { position += 1 }
            while let c = peek(), Self.isDigit(c) { position += 1 }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            if text.isEmpty && optional { return nil }
            guard let value = Int(text) else { throw JSONPathError(message: "bad index", offset: start) }
            return value
        }

        /// A `'…'` or `"…"` string with JSON-style backslash escapes (an unknown escape keeps the character).
        private mutating func readQuoted() throws(JSONPathError) -> String {
            guard let quote = peek(), quote == "'" || quote == "\"" else { throw error("expected a quoted name") }
            position += 1
            var out = String.UnicodeScalarView()
            while let c = peek() {
                position += 1
                if c == quote { return String(out) }
                if c == "\\" { out.append(try readEscape()) } else { out.append(c) }
            }
            throw error("unterminated string")
        }

        private mutating func readEscape() throws(JSONPathError) -> Unicode.Scalar {
            guard let c = peek() else { throw error("unterminated string") }
            position += 1
            switch c {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "b": return "\u{08}"
            case "f": return "\u{0C}"
            case "u":
                guard position + 4 <= scalars.count,
                      let code = UInt32(String(String.UnicodeScalarView(scalars[position..<position + 4])), radix: 16),
                      let scalar = Unicode.Scalar(code)
                else { throw error("bad \\u escape") }
                position += 4
                return scalar
            default: return c
            }
        }

        // MARK: Filter expressions

        private mutating func parseOr() throws(JSONPathError) -> Filter {
            var left = try parseAnd()
            while skipWhitespace(), peek() == "|", peek(1) == "|" {
                position += 2
                left = .or(left, try parseAnd())
            }
            return left
        }

        private mutating func parseAnd() throws(JSONPathError) -> Filter {
            var left = try parseUnary()
            while skipWhitespace(), peek() == "&", peek(1) == "&" {
                position += 2
                left = .and(left, try parseUnary())
            }
            return left
        }

        /// `!x`, `(x)` or a comparison; both recursive forms count towards the nesting cap.
        private mutating func parseUnary() throws(JSONPathError) -> Filter {
            skipWhitespace()
            if peek() == "!" {
                position += 1
                return .not(try nest { (p: inout Parser) throws(JSONPathError) in try p.parseUnary() })
            }
            if peek() == "(" {
                position += 1
                let inner = try nest { (p: inout Parser) throws(JSONPathError) in try p.parseOr() }
                skipWhitespace()
                try expect(")")
                return inner
            }
            return try parseComparison()
        }

        private mutating func parseComparison() throws(JSONPathError) -> Filter {
            let left = try parseOperand()
            skipWhitespace()
            guard let op = readComparison() else { return .exists(left) }
            skipWhitespace()
            return .comparison(left, op, try parseOperand())
        }

        private mutating func readComparison() -> Comparison? {
            for op in Comparison.allCases {   // two-character operators come first in allCases
                let symbol = Array(op.rawValue.unicodeScalars)
                if position + symbol.count <= scalars.count,
                   Array(scalars[position..<position + symbol.count]) == symbol {
                    position += symbol.count
                    return op
                }
            }
            return nil
        }

        private mutating func parseOperand() throws(JSONPathError) -> Operand {
            skipWhitespace()
            guard let c = peek() else { throw error("expected a value") }
            switch c {
            case "@", "$":
                position += 1
                var segments: [Segment] = []
                try parseSegments(into: &segments, inFilter: true)
                let path = JSONPath(segments: segments)
                return c == "@" ? .current(path) : .root(path)
            case "'", "\"":
                return .literal(.string(try readQuoted()))
            case "-", "0"..."9":
                return .literal(try readNumber())
            default:
                for (word, value) in [("true", JSONValue.bool(true)), ("false", .bool(false)), ("null", .null)]
                where matchesWord(word) {
                    position += word.unicodeScalars.count
                    return .literal(value)
                }
                throw error("expected @, $, a string, a number, true, false or null")
            }
        }

        private mutating func readNumber() throws(JSONPathError) -> JSONValue {
            let start = position
            if peek() == "-" { position += 1 }
            while let c = peek(), Self.isDigit(c) || c == "." || c == "e" || c == "E" || c == "+" || c == "-" {
                position += 1
            }
            let text = String(String.UnicodeScalarView(scalars[start..<position]))
            if let int = Int64(text) { return .int(int) }
            if let double = Double(text), double.isFinite { return .double(double) }
            throw JSONPathError(message: "bad number", offset: start)
        }

        private func matchesWord(_ word: String) -> Bool {
            let w = Array(word.unicodeScalars)
            guard position + w.count <= scalars.count, Array(scalars[position..<position + w.count]) == w else {
                return false
            }
            guard let after = peek(w.count) else { return true }
            return !(after.properties.isAlphabetic || Self.isDigit(after))
        }

        // MARK: Helpers

        /// Runs a recursive step one level deeper, refusing to go past `maxNesting`.
        private mutating func nest<T>(
            _ body: (inout Parser) throws(JSONPathError) -> T
        ) throws(JSONPathError) -> T {
            guard nesting < JSONPath.maxNesting else { throw error("nested too deeply") }
            nesting += 1
            defer { nesting -= 1 }
            return try body(&self)
        }

        private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
            let i = position + ahead
            return i < scalars.count ? scalars[i] : nil
        }

        /// Always true, so it can lead a `while` condition list.
        @discardableResult
        private mutating func skipWhitespace() -> Bool {
            while let c = peek(), c.properties.isWhitespace { position += 1 }
            return true
        }

        private mutating func expect(_ c: Unicode.Scalar) throws(JSONPathError) {
            guard peek() == c else { throw error("expected '\(c)'") }
            position += 1
        }

        private func error(_ message: String) -> JSONPathError {
            JSONPathError(message: message, offset: position)
        }

        private static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    }
}
