/// A cron expression exactly as Spring's `CronExpression` (what Conductor OSS's scheduler uses)
/// reads and evaluates it: six fields (second, minute, hour, day of month, month, day of week), with
/// lists, ranges, steps, `*`, `?`, month and day names, the macros (`@daily` …) and Quartz's `L`,
/// `W` and `#`. Day of month and day of week must both match (Spring ANDs them, unlike Unix cron).
/// Parse errors carry Spring's messages, which Conductor passes on to clients.
public struct CronExpression: Sendable, Equatable {
    public let expression: String
    /// Applied in this order, biggest change first; the last field lands on zero nanoseconds.
    let fields: [CronField]

    public struct ParseError: Error, Equatable, Sendable {
        public var message: String
    }

    static let macros: [(String, String)] = [
        ("@yearly", "0 0 0 1 1 *"), ("@annually", "0 0 0 1 1 *"), ("@monthly", "0 0 0 1 * *"),
        ("@weekly", "0 0 0 * * 0"), ("@daily", "0 0 0 * * *"), ("@midnight", "0 0 0 * * *"), ("@hourly", "0 0 * * * *"),
    ]
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let dayNames = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]

    public static func parse(_ text: String) throws(ParseError) -> CronExpression {
        guard !text.isEmpty else { throw ParseError(message: "Expression must not be empty") }
        var expression = text.trimmingJavaWhitespace()
        for (macro, value) in macros where macro.caseInsensitiveEquals(expression) {
            expression = value
            break
        }
        // Split on spaces only; each token trimmed, empty ones dropped (Spring's tokenizer).
        let tokens = expression.split(separator: " ").map { String($0).trimmingJavaWhitespace() }.filter { !$0.isEmpty }
        guard tokens.count == 6 else {
            throw ParseError(message: "Cron expression must consist of 6 fields (found \(tokens.count) in \"\(expression)\")")
        }
        do throws(FieldError) {
            let seconds = try parseBits(tokens[0], .second)
            let minutes = try parseBits(tokens[1], .minute)
            let hours = try parseBits(tokens[2], .hour)
            let daysOfMonth = try parseDaysOfMonth(tokens[3])
            let months = try parseBits(replacingNames(monthNames, in: tokens[4]), .month)
            let daysOfWeek = try parseDaysOfWeek(replacingNames(dayNames, in: tokens[5]))
            return CronExpression(expression: expression,
                                  fields: [daysOfWeek, months, daysOfMonth, hours, minutes, seconds, .bits(.nano, 1)])
        } catch {
            throw ParseError(message: "\(error.message) in cron expression \"\(expression)\"")
        }
    }

    /// The first fire strictly after `millis` (epoch ms) in `zone`, or nil when there is none within
    /// Spring's search bound (about a year of steps per field: `0 0 0 30 2 *` never fires).
    public func next(after millis: Int64, in zone: TimeZoneRules) -> Int64? {
        let second = millis >= 0 ? millis / 1000 : (millis - 999) / 1000
        let nano = Int(millis - second * 1000) * 1_000_000
        var t = ZonedTime(epochSecond: second, nano: nano, zone: zone).plus(1, .nanos)
        for _ in 0..<CronField.maxAttempts {
            guard let result = nextOrSameInternal(t) else { return nil }
            // A Quartz field can land before the start (`L-42` is 42 days before a month's end, in an
            // earlier month); a fire time that went back would fire again at once, so there is none.
            if ZonedTime.same(result, t) { return result.epochMillis > millis ? result.epochMillis : nil }
            t = result
        }
        return nil
    }

    private func nextOrSameInternal(_ start: ZonedTime) -> ZonedTime? {
        var t = start
        for field in fields {
            guard let moved = field.nextOrSame(t) else { return nil }
            t = moved
        }
        return t
    }

    // MARK: Parsing

    struct FieldError: Error { var message: String }

    static func replacingNames(_ names: [String], in value: String) -> String {
        var s = value.uppercased()
        for (i, name) in names.enumerated() { s = s.replacingAll(name, with: String(i + 1)) }
        return s
    }

    private static func parseDaysOfMonth(_ value: String) throws(FieldError) -> CronField {
        guard value.contains("L") || value.contains("W") else { return try parseBits(value == "?" ? "*" : value, .dayOfMonth) }
        return try parseList(value) { part throws(FieldError) in
            if part.contains("L") || part.contains("W") { return try parseQuartzDaysOfMonth(part) }
            return try parseBits(part == "?" ? "*" : part, .dayOfMonth)
        }
    }

    private static func parseDaysOfWeek(_ value: String) throws(FieldError) -> CronField {
        func bits(_ v: String) throws(FieldError) -> CronField {
            guard case .bits(let type, var b) = try parseBits(v == "?" ? "*" : v, .dayOfWeek) else { fatalError("unreachable") }
            // Cron's 0 for Sunday is java.time's 7.
            if b & 1 == 1 { b = (b | 1 << 7) & ~1 }
            return .bits(type, b)
        }
        guard value.contains("L") || value.contains("#") else { return try bits(value) }
        return try parseList(value) { part throws(FieldError) in
            if part.contains("L") || part.contains("#") { return try parseQuartzDaysOfWeek(part) }
            return try bits(part)
        }
    }

    private static func parseList(_ value: String, _ parse: (String) throws(FieldError) -> CronField) throws(FieldError) -> CronField {
        var fields: [CronField] = []
        for part in value.split(separator: ",", omittingEmptySubsequences: false) { fields.append(try parse(String(part))) }
        return fields.count == 1 ? fields[0] : .composite(fields)
    }

    /// `BitsCronField.parseField`: a list of `*`, `n`, `a-b`, each optionally `/step`.
    static func parseBits(_ value: String, _ type: CronFieldType) throws(FieldError) -> CronField {
        guard !value.isEmpty else { throw FieldError(message: "Value must not be empty") }
        var bits: UInt64 = 0
        do throws(FieldError) {
            for field in value.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
                guard let slash = field.firstIndex(of: "/") else {
                    let (lo, hi) = try parseRange(field, type)
                    bits |= mask(lo, hi, step: 1)
                    continue
                }
                let rangeText = String(field[..<slash])
                let deltaText = String(field[field.index(after: slash)...])
                var (lo, hi) = try parseRange(rangeText, type)
                if !rangeText.contains("-") { hi = ZonedTime.fixedRange(type.field).upperBound }
                let delta = try javaParseInt(deltaText)
                guard delta > 0 else { throw FieldError(message: "Incrementer delta must be 1 or higher") }
                bits |= mask(lo, hi, step: delta)
            }
        } catch {
            throw FieldError(message: "\(error.message) '\(value)'")
        }
        return .bits(type, bits)
    }

    private static func mask(_ lo: Int, _ hi: Int, step: Int) -> UInt64 {
        var out: UInt64 = 0
        for v in stride(from: lo, through: hi, by: step) where v >= 0 && v < 64 { out |= 1 << UInt64(v) }
        return out
    }

    private static func parseRange(_ value: String, _ type: CronFieldType) throws(FieldError) -> (Int, Int) {
        if value == "*" { return (ZonedTime.fixedRange(type.field).lowerBound, ZonedTime.fixedRange(type.field).upperBound) }
        guard let hyphen = value.firstIndex(of: "-") else {
            let v = try checkValid(try javaParseInt(value), type)
            return (v, v)
        }
        var lo = try checkValid(try javaParseInt(value, String(value[..<hyphen])), type)
        let hi = try checkValid(try javaParseInt(value, String(value[value.index(after: hyphen)...])), type)
        // As the minimum of a range, Sunday is 0, not 7.
        if type == .dayOfWeek && lo == 7 { lo = 0 }
        guard lo <= hi else { throw FieldError(message: "Minimum value must be less than maximum value") }
        return (lo, hi)
    }

    private static func checkValid(_ v: Int, _ type: CronFieldType) throws(FieldError) -> Int {
        if type == .dayOfWeek && v == 0 { return v }
        guard ZonedTime.fixedRange(type.field).contains(v) else {
            throw FieldError(message: "Invalid value for \(type.javaName) (valid values \(type.javaRange)): \(v)")
        }
        return v
    }

    /// `QuartzCronField.parseDaysOfMonth`: `L`, `L-n`, `LW`, `nW`.
    private static func parseQuartzDaysOfMonth(_ value: String) throws(FieldError) -> CronField {
        if let l = value.lastIndex(of: "L") {
            guard l == value.startIndex else { throw FieldError(message: "Unrecognized characters before 'L' in '\(value)'") }
            if value == "LW" { return .quartz(.dayOfMonth, rollForward: .dayOfMonth, .lastWeekdayOfMonth) }
            if value == "L" { return .quartz(.dayOfMonth, rollForward: .dayOfMonth, .lastDayOfMonth) }
            let offset = try javaParseInt(value, String(value.dropFirst()))
            guard offset < 0 else { throw FieldError(message: "Offset '\(offset) should be < 0 '\(value)'") }
            return .quartz(.dayOfMonth, rollForward: .dayOfMonth, .lastDayWithOffset(offset))
        }
        guard let w = value.lastIndex(of: "W") else { throw FieldError(message: "No 'L' or 'W' found in '\(value)'") }
        guard w != value.startIndex else { throw FieldError(message: "No day-of-month before 'W' in '\(value)'") }
        guard value.index(after: w) == value.endIndex else { throw FieldError(message: "Unrecognized characters after 'W' in '\(value)'") }
        let day = try checkValid(try javaParseInt(value, String(value[..<w])), .dayOfMonth)
        return .quartz(.dayOfMonth, rollForward: .dayOfMonth, .weekdayNearest(day))
    }

    /// `QuartzCronField.parseDaysOfWeek`: `dL`, `d#n`.
    private static func parseQuartzDaysOfWeek(_ value: String) throws(FieldError) -> CronField {
        if let l = value.lastIndex(of: "L") {
            guard value.index(after: l) == value.endIndex else { throw FieldError(message: "Unrecognized characters after 'L' in '\(value)'") }
            guard l != value.startIndex else { throw FieldError(message: "No day-of-week before 'L' in '\(value)'") }
            let dow = try parseDayOfWeek(String(value[..<l]))
            return .quartz(.dayOfWeek, rollForward: .dayOfMonth, .lastInMonth(dayOfWeek: dow))
        }
        guard let hash = value.lastIndex(of: "#") else { throw FieldError(message: "No 'L' or '#' found in '\(value)'") }
        guard hash != value.startIndex else { throw FieldError(message: "No day-of-week before '#' in '\(value)'") }
        guard value.index(after: hash) != value.endIndex else { throw FieldError(message: "No ordinal after '#' in '\(value)'") }
        let dow = try parseDayOfWeek(String(value[..<hash]))
        let ordinal = try javaParseInt(value, String(value[value.index(after: hash)...]))
        guard ordinal > 0 else { throw FieldError(message: "Ordinal '\(ordinal)' in '\(value)' must be positive number ") }
        return .quartz(.dayOfWeek, rollForward: .dayOfMonth, .dayOfWeekInMonth(ordinal: ordinal, dayOfWeek: dow))
    }

    private static func parseDayOfWeek(_ value: String) throws(FieldError) -> Int {
        var dow = try javaParseInt(value)
        if dow == 0 { dow = 7 }
        guard (1...7).contains(dow) else { throw FieldError(message: "Invalid value for DayOfWeek: \(dow) '\(value)'") }
        return dow
    }

    /// `Integer.parseInt(s)`, with its message.
    private static func javaParseInt(_ s: String) throws(FieldError) -> Int {
        guard let v = parseJavaInt(s) else { throw FieldError(message: "For input string: \"\(s)\"") }
        return v
    }

    /// `Integer.parseInt(whole, begin, end, 10)`: the message names the first bad character's index.
    private static func javaParseInt(_ whole: String, _ part: String) throws(FieldError) -> Int {
        guard let v = parseJavaInt(part) else {
            if part.isEmpty { throw FieldError(message: "For input string: \"\"") }
            let chars = Array(part)
            var bad = chars.firstIndex { !$0.isASCII || !$0.isNumber } ?? chars.count - 1
            if bad == 0 && (chars[0] == "+" || chars[0] == "-") { bad = chars.count > 1 ? (chars.dropFirst().firstIndex { !$0.isASCII || !$0.isNumber } ?? 1) : 0 }
            throw FieldError(message: "Error at index \(bad) in: \"\(part)\"")
        }
        return v
    }

    private static func parseJavaInt(_ s: String) -> Int? {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        guard !body.isEmpty, body.allSatisfy({ $0.isASCII && $0.isNumber }), let v = Int32(s) else { return nil }
        return Int(v)
    }
}

extension String {
    /// Java's `String.trim()`: strips code points up to U+0020 at both ends.
    func trimmingJavaWhitespace() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0.value > 0x20 }) else { return "" }
        let last = scalars.lastIndex(where: { $0.value > 0x20 })!
        return String(scalars[first...last])
    }

    func caseInsensitiveEquals(_ other: String) -> Bool { lowercased() == other.lowercased() }

    /// Every occurrence of `target`, left to right, without Foundation.
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        var out = ""
        var rest = Substring(self)
        while let range = rest.firstRange(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
