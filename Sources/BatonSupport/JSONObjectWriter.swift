/// Writes one JSON object field by field straight into bytes: for hot paths that would otherwise build
/// a `JSONObject` (hashing every key) only to serialize it once.
public struct JSONObjectWriter {
    public private(set) var bytes: [UInt8]
    private var first = true

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
        bytes.append(UInt8(ascii: "{"))
    }

    private mutating func key(_ k: String) {
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        JSONWriter.writeString(k, into: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    public mutating func string(_ k: String, _ v: String) {
        key(k)
        JSONWriter.writeString(v, into: &bytes)
    }

    /// Left out when nil (Jackson NON_NULL).
    public mutating func string(_ k: String, _ v: String?) {
        if let v { string(k, v) }
    }

    public mutating func int(_ k: String, _ v: Int64) {
        key(k)
        bytes.append(contentsOf: String(v).utf8)
    }

    public mutating func int(_ k: String, _ v: Int) { int(k, Int64(v)) }

    public mutating func bool(_ k: String, _ v: Bool) {
        key(k)
        bytes.append(contentsOf: (v ? "true" : "false").utf8)
    }

    public mutating func value(_ k: String, _ v: JSONValue) {
        key(k)
        JSONWriter.write(v, into: &bytes)
    }

    public mutating func object(_ k: String, _ o: JSONObject) {
        key(k)
        JSONWriter.write(.object(o), into: &bytes)
    }

    /// Bytes that are already a JSON value.
    public mutating func raw(_ k: String, _ json: [UInt8]) {
        key(k)
        bytes.append(contentsOf: json)
    }

    /// The members of `object`, bytes of a JSON object as this writer makes them, written as members of
    /// this one: splices a stored object into a larger one without parsing it.
    public mutating func members(of object: [UInt8]) {
        guard object.count > 2, object.first == UInt8(ascii: "{"), object.last == UInt8(ascii: "}") else { return }
        if !first { bytes.append(UInt8(ascii: ",")) }
        first = false
        bytes.append(contentsOf: object[1..<(object.count - 1)])
    }

    public mutating func null(_ k: String) {
        key(k)
        bytes.append(contentsOf: "null".utf8)
    }

    public consuming func finish() -> [UInt8] {
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }
}
