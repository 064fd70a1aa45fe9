import BatonSupport

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
