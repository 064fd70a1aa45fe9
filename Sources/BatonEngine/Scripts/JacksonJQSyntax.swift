/// The one jackson-jq spelling that libjq refuses and Conductor definitions use.
///
/// OSS runs JSON_JQ_TRANSFORM on jackson-jq, whose grammar takes any expression but a comma as an object
/// value: `{ method: .input.method // "GET", n: .a + 1 }`. libjq's grammar takes only a term or a pipe there
/// ("syntax error, unexpected //"), so the same definition fails on Baton. A program libjq refuses is retried
/// with each such value in parentheses, which means the same in both dialects; a program libjq accepts is never
/// rewritten.
enum JacksonJQSyntax {
    /// `program` with every object value that is not already a single term in parentheses, or nil when nothing
    /// would change or the text does not balance (libjq's own message for the original is then the answer).
    static func parenthesizingObjectValues(_ program: String) -> String? {
        let bytes = Array(program.utf8)
        var scanner = Scanner(bytes)
        guard let insertions = scanner.objectValuesToWrap(), !insertions.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + insertions.count)
        var next = insertions.sorted { $0.position < $1.position }.makeIterator()
        var pending = next.next()
        for (i, byte) in bytes.enumerated() {
            while let p = pending, p.position == i { out.append(p.byte); pending = next.next() }
            out.append(byte)
        }
        while let p = pending { out.append(p.byte); pending = next.next() }
        return String(decoding: out, as: UTF8.self)
    }

    struct Insertion { var position: Int; var byte: UInt8 }

    /// A single pass over the program that knows jq's strings (with `\(…)` interpolation), comments, brackets
    /// and `if … end`, which is all it takes to find where each object value begins and ends.
    private struct Scanner {
        enum Context: Equatable {
            case object(valueStart: Int?)   // nil while reading a key
            case paren, bracket, interpolation, ifBlock
        }
        let b: [UInt8]
        var stack: [Context] = []
        var closeOf: [Int: Int] = [:]      // the position of each opening bracket's closing one
        var openStack: [Int] = []
        var values: [(start: Int, end: Int)] = []

        init(_ bytes: [UInt8]) { b = bytes }

        mutating func objectValuesToWrap() -> [Insertion]? {
            var i = 0, inString = false
            while i < b.count {
                let c = b[i]
                if inString {
                    if c == UInt8(ascii: "\\") {
                        if i + 1 < b.count, b[i + 1] == UInt8(ascii: "(") {
                            stack.append(.interpolation)
                            inString = false
                        }
                        i += 2
                        continue
                    }
                    if c == UInt8(ascii: "\"") { inString = false }
                    i += 1
                    continue
                }
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "#"):
                    while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
                    continue
                case UInt8(ascii: "("): open(.paren, at: i)
                case UInt8(ascii: "["): open(.bracket, at: i)
                case UInt8(ascii: "{"): open(.object(valueStart: nil), at: i)
                case UInt8(ascii: ")"):
                    if stack.last == .interpolation { stack.removeLast(); inString = true }
                    else { guard close(.paren, at: i) else { return nil } }
                case UInt8(ascii: "]"): guard close(.bracket, at: i) else { return nil }
                case UInt8(ascii: "}"):
                    guard case .object(let start)? = stack.last else { return nil }
                    if let start { values.append((start, i)) }
                    guard close(stack.last!, at: i) else { return nil }
                case UInt8(ascii: ","):
                    if case .object(let start?)? = stack.last {
                        values.append((start, i))
                        stack[stack.count - 1] = .object(valueStart: nil)
                    }
                case UInt8(ascii: ":"):
                    if case .object(nil)? = stack.last { stack[stack.count - 1] = .object(valueStart: i + 1) }
                default:
                    if JQSourceText.isWordStart(c) {
                        let start = i
                        while i < b.count, JQSourceText.isWordByte(b[i]) { i += 1 }
                        keyword(start, i)
                        continue
                    }
                }
                i += 1
            }
            guard !inString, stack.isEmpty else { return nil }
            return values.compactMap { wrapping($0.start, $0.end) }.flatMap { $0 }
        }

        private mutating func open(_ context: Context, at i: Int) {
            stack.append(context)
            openStack.append(i)
        }

        private mutating func close(_ context: Context, at i: Int) -> Bool {
            guard let top = stack.last, top == context || (isObject(top) && isObject(context)),
                  let opened = openStack.popLast() else { return false }
            stack.removeLast()
            closeOf[opened] = i
            return true
        }

        private func isObject(_ c: Context) -> Bool { if case .object = c { return true } else { return false } }

        /// `if` opens a block that `end` closes (commas inside its branches are not entry separators); a word
        /// after `.` or `$` is a field or variable name, and a word in key position is a key.
        private mutating func keyword(_ start: Int, _ end: Int) {
            if start > 0, b[start - 1] == UInt8(ascii: ".") || b[start - 1] == UInt8(ascii: "$") { return }
            if case .object(nil)? = stack.last { return }
            let word = b[start..<end]
            if word.elementsEqual("if".utf8) { stack.append(.ifBlock) }
            else if word.elementsEqual("end".utf8), stack.last == .ifBlock { stack.removeLast() }
        }

        /// Parentheses around the value in `start..<end`, unless it is empty, one variable, or one bracketed
        /// group (which also keeps destructuring patterns such as `. as {a: [$x, $y]}` intact).
        private func wrapping(_ start: Int, _ end: Int) -> [Insertion]? {
            var first = start
            while first < end, JQSourceText.isBlank(b[first]) { first += 1 }
            var last = end - 1
            while last >= first, JQSourceText.isBlank(b[last]) { last -= 1 }
            guard first <= last else { return nil }
            let opener = b[first]
            if opener == UInt8(ascii: "(") || opener == UInt8(ascii: "[") || opener == UInt8(ascii: "{"),
               closeOf[first] == last { return nil }
            if opener == UInt8(ascii: "$"), b[(first + 1)..<(last + 1)].allSatisfy(JQSourceText.isWordByte) { return nil }
            // `)` goes right before the separator, so a trailing `# comment` cannot swallow it.
            return [Insertion(position: first, byte: UInt8(ascii: "(")), Insertion(position: end, byte: UInt8(ascii: ")"))]
        }
    }
}
