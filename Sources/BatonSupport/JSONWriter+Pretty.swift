extension JSONWriter {
    /// Indented JSON for people to read (the web UI's JSON panes); numbers and strings are written
    /// exactly as the compact form writes them.
    public static func pretty(_ value: JSONValue, indent: Int = 2) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        writePretty(value, depth: 0, indent: indent, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func writePretty(_ value: JSONValue, depth: Int, indent: Int, into out: inout [UInt8]) {
        func newline(_ level: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * indent))
        }
        switch value {
        case .array(let items) where !items.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(depth + 1)
                writePretty(item, depth: depth + 1, indent: indent, into: &out)
            }
            newline(depth)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where object.count > 0:
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, item) in object {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                newline(depth + 1)
                writeString(key, into: &out)
                out.append(contentsOf: ": ".utf8)
                writePretty(item, depth: depth + 1, indent: indent, into: &out)
            }
            newline(depth)
            out.append(UInt8(ascii: "}"))
        default:
            write(value, into: &out)
        }
    }
}
