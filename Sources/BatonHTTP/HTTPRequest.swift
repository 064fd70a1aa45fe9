/// A complete request as the router sees it: path already split into decoded segments, query decoded.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target as sent (`/api/workflow/x?y=1`).
    public var target: String
    /// Path before `?`, still percent-encoded.
    public var rawPath: String
    /// Decoded path segments (`/a/b%20c` -> ["a", "b c"]).
    public var pathSegments: [String]
    public var query: QueryParameters
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    /// Values of `{name}` segments, filled by the router.
    public var pathParameters: [String: String] = [:]

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [], minorVersion: Int = 1) throws(HTTPParseError) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.minorVersion = minorVersion
        var path = Substring(target)
        var queryText: Substring = ""
        if let q = target.firstIndex(of: "?") {
            path = target[..<q]
            queryText = target[target.index(after: q)...]
        }
        if let hash = queryText.firstIndex(of: "#") { queryText = queryText[..<hash] }
        rawPath = String(path)
        guard path.hasPrefix("/") else { throw .badRequest("request target must start with /") }
        var segments: [String] = []
        for raw in path.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            guard let decoded = PercentDecoding.decode(raw, plusAsSpace: false) else {
                throw .badRequest("invalid percent-encoding in path")
            }
            segments.append(decoded)
        }
        // "/" alone and a trailing slash leave an empty last segment; the router matches it literally.
        if segments == [""] { segments = [] }
        pathSegments = segments
        guard let q = QueryParameters(parsing: queryText) else { throw .badRequest("invalid percent-encoding in query") }
        query = q
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// Whether the connection stays open after this request (HTTP/1.1 default, 1.0 opt-in).
    public var wantsKeepAlive: Bool {
        let tokens = headers.tokens("Connection")
        if tokens.contains("close") { return false }
        return minorVersion >= 1 || tokens.contains("keep-alive")
    }
}

/// Query parameters in order; a name may repeat.
public struct QueryParameters: Sendable {
    public private(set) var pairs: [(name: String, value: String)] = []

    public init() {}

    init?(parsing text: Substring) {
        for part in text.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring, value: Substring
            if let eq = part.firstIndex(of: "=") {
                name = part[..<eq]
                value = part[part.index(after: eq)...]
            } else {
                name = part
                value = ""
            }
            guard let n = PercentDecoding.decode(name, plusAsSpace: true),
                  let v = PercentDecoding.decode(value, plusAsSpace: true) else { return nil }
            pairs.append((n, v))
        }
    }

    /// The first value of the parameter.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value, repeated parameters and comma-separated lists flattened.
    public func list(_ name: String) -> [String] {
        pairs.filter { $0.name == name }
            .flatMap { $0.value.split(separator: ",").map { $0.trimmingASCIIWhitespace() } }
            .filter { !$0.isEmpty }
    }
}

enum PercentDecoding {
    /// Decodes `%XX` (and `+` as space for query strings); nil for a malformed escape.
    static func decode(_ text: Substring, plusAsSpace: Bool) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusAsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var out: [UInt8] = []
        out.reserveCapacity(utf8.count)
        var it = utf8.makeIterator()
        while let c = it.next() {
            if c == UInt8(ascii: "%") {
                guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
                out.append(h << 4 | l)
            } else if c == UInt8(ascii: "+") && plusAsSpace {
                out.append(UInt8(ascii: " "))
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
