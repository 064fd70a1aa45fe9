import BatonSupport
import Foundation

/// Lays a client's object out the way OSS serializes the type: known fields in OSS order with their
/// defaults, `null` properties dropped (Jackson NON_NULL), then every field Baton does not model,
/// kept as sent.
enum Canonical {
    static func layout(_ object: JSONObject, _ fields: [(String, JSONValue?)]) -> JSONObject {
        var out = JSONObject()
        for (key, defaultValue) in fields {
            if let v = object[key], !v.isNull {
                out[key] = v
            } else if let d = defaultValue {
                out[key] = d
            }
        }
        for (key, value) in object where out[key] == nil && !value.isNull && !fields.contains(where: { $0.0 == key }) {
            out[key] = value
        }
        return out
    }
}

extension Canonical {
    /// Jackson's scalar coercion, written back into the stored JSON so a read answers the model's
    /// types: a number or boolean sent for a String field is kept as its text, a numeric string
    /// sent for a number field as the number. An object or array for a String field is refused,
    /// as Jackson refuses it ("Cannot deserialize value of type `java.lang.String` from Object").
    static func coerce(_ json: inout JSONObject, strings: [String], integers: [String] = [], path: String) throws(EngineError) {
        func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        for key in strings {
            switch json[key] {
            case .int(let i)?: json[key] = .string(String(i))
            case .double(let d)?: json[key] = .string(String(d))
            case .bool(let b)?: json[key] = .string(String(b))
            case let v? where v.arrayValue != nil || v.objectValue != nil:
                throw .invalid("\(at(key)): expected a string, got \(v.typeName) \(JSONWriter.string(v).prefix(100))")
            default: continue
            }
        }
        for key in integers {
            switch json[key] {
            case .string(let s)?:
                // As `JSONFields.int64` reads it: surrounding spaces allowed.
                guard let i = Int64(s.trimmingCharacters(in: .whitespaces)) else {
                    throw .invalid("\(at(key)): expected an integer, got string \(JSONWriter.string(.string(s)).prefix(100))")
                }
                json[key] = .int(i)
            case .double(let d)? where d.rounded() == d && abs(d) < 9.2e18: json[key] = .int(Int64(d))
            case .bool?, .array?, .object?, .double?:
                throw .invalid("\(at(key)): expected an integer, got \(json[key]!.typeName) \(JSONWriter.string(json[key]!).prefix(100))")
            default: continue
            }
        }
    }
}
