import BatonSupport

/// Integers beyond 2^53 through libjq 1.6, which keeps every number as a double.
///
/// jackson-jq (OSS) keeps them as 64-bit integers, so an id such as 1234567890123456789 copied by a
/// transform comes out as it went in; libjq 1.6 gives 1234567890123456800. Copying is what transforms do
/// with ids, so each integer of the input that a double cannot hold is remembered by the double it
/// becomes, and an output number (or an output string of only digits, from `tostring`) equal to that
/// double is given its exact value back. Arithmetic on such numbers stays libjq's: a result that rounds
/// to the same double as an input id reads as that id. Two input integers that share a double are both
/// left as libjq gives them.
struct JQLargeIntegers {
    /// Exact value by the bit pattern of its double; nil where two integers collide.
    private var exact: [UInt64: Int64?] = [:]

    /// Nil when the input holds no such integer (the usual case: nothing to restore).
    init?(_ input: JSONValue) {
        collect(input)
        if exact.isEmpty { return nil }
    }

    private mutating func collect(_ value: JSONValue) {
        switch value {
        case .int(let i) where Self.isBeyondDouble(i):
            let key = Double(i).bitPattern
            if let known = exact[key] { if known != i { exact[key] = .some(nil) } } else { exact[key] = i }
        case .array(let items): for item in items { collect(item) }
        case .object(let object): for (_, item) in object { collect(item) }
        default: break
        }
    }

    /// Whether `i` is where doubles start to skip integers (2^53 and beyond, in magnitude). Those a double
    /// does hold are kept too, so that a neighbour rounding onto them is seen as a collision.
    private static func isBeyondDouble(_ i: Int64) -> Bool { i.magnitude >= (1 << 53) }

    func restoring(_ value: JSONValue) -> JSONValue {
        switch value {
        case .int(let i) where i.magnitude >= (1 << 53): return exactValue(Double(i)).map(JSONValue.int) ?? value
        case .double(let d): return exactValue(d).map(JSONValue.int) ?? value
        case .string(let s) where s.utf8.count >= 16 && s.utf8.count <= 20 && Self.isDigits(s):
            guard let d = Double(s), let i = exactValue(d) else { return value }
            return .string(String(i))
        case .array(let items): return .array(items.map(restoring))
        case .object(var object):
            for (key, item) in object { object[key] = restoring(item) }
            return .object(object)
        default: return value
        }
    }

    private func exactValue(_ d: Double) -> Int64? { exact[d.bitPattern] ?? nil }

    private static func isDigits(_ s: String) -> Bool {
        var bytes = s.utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        return !bytes.isEmpty && bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }
}
