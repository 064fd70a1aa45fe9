/// HTML that is safe by construction: a string literal is trusted markup, and everything
/// interpolated into it is escaped unless it is itself `Markup`. Workflow names, inputs, outputs and
/// reasons are attacker-controlled on a shared dev server, so there is no way to put a plain `String`
/// into a page unescaped.
struct Markup: ExpressibleByStringInterpolation, Sendable, Equatable {
    private(set) var html: String

    init(stringLiteral value: String) { html = value }
    init(stringInterpolation: StringInterpolation) { html = stringInterpolation.html }
    private init(trusted: String) { html = trusted }

    static let empty = Markup(stringLiteral: "")

    mutating func append(_ other: Markup) { html += other.html }
    static func + (a: Markup, b: Markup) -> Markup { Markup(trusted: a.html + b.html) }

    /// Markup pieces one after another.
    static func join(_ parts: some Sequence<Markup>, separator: Markup = .empty) -> Markup {
        Markup(trusted: parts.map(\.html).joined(separator: separator.html))
    }

    /// Escapes for text content and double-quoted attribute values alike.
    static func escape(_ text: String) -> String {
        // Most values (ids, names, statuses) need nothing: hand them back without copying.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var out = ""
        out.reserveCapacity(text.utf8.count + 16)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// Percent-encodes one path segment or query value (RFC 3986 unreserved characters stay).
    static func urlComponent(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }

    struct StringInterpolation: StringInterpolationProtocol {
        var html = ""
        init(literalCapacity: Int, interpolationCount: Int) { html.reserveCapacity(literalCapacity + interpolationCount * 16) }
        mutating func appendLiteral(_ literal: String) { html += literal }
        mutating func appendInterpolation(_ text: String) { html += Markup.escape(text) }
        mutating func appendInterpolation(_ text: String?) { html += Markup.escape(text ?? "") }
        mutating func appendInterpolation(_ markup: Markup) { html += markup.html }
        mutating func appendInterpolation(_ parts: [Markup]) { for p in parts { html += p.html } }
        mutating func appendInterpolation(_ number: Int) { html += String(number) }
        mutating func appendInterpolation(_ number: Int64) { html += String(number) }
        /// A coordinate or size in an SVG: one decimal is plenty.
        mutating func appendInterpolation(_ number: Double) {
            html += number == number.rounded() ? String(Int64(number)) : String((number * 10).rounded() / 10)
        }
        /// A value percent-encoded for a URL, then escaped for the attribute it sits in.
        mutating func appendInterpolation(url component: String) { html += Markup.escape(Markup.urlComponent(component)) }
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
