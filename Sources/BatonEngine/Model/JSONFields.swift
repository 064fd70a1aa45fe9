import BatonSupport

/// Reads typed fields out of a client's JSON object with Jackson's leniency (numbers given as strings,
/// `null` meaning absent) and a clear 400 when a field has the wrong type.
struct JSONFields {
    let object: JSONObject
    let path: String

    init(_ object: JSONObject, path: String) {
        self.object = object
        self.path = path
    }

    init(_ value: JSONValue, path: String) throws(EngineError) {
        guard case .object(let o) = value else {
            throw .invalid("\(path.isEmpty ? "body" : path): expected a JSON object, got \(value.typeName)")
        }
        self.init(o, path: path)
    }

    func at(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func present(_ key: String) -> JSONValue? {
        guard let v = object[key], !v.isNull else { return nil }
        return v
    }

    private func typeError(_ key: String, _ expected: String, _ got: JSONValue) -> EngineError {
        .invalid("\(at(key)): expected \(expected), got \(got.typeName) \(JSONWriter.string(got).prefix(100))")
    }

    func string(_ key: String) throws(EngineError) -> String? {
        guard let v = present(key) else { return nil }
        guard let text = v.scalarText else { throw typeError(key, "a string", v) }
        return text
    }

    func int64(_ key: String) throws(EngineError) -> Int64? {
        guard let v = present(key) else { return nil }
        if let i = v.int64Value { return i }
        if case .string(let s) = v, let i = Int64(s.trimmingCharacters(in: .whitespaces)) { return i }
        throw typeError(key, "an integer", v)
    }

    func int(_ key: String) throws(EngineError) -> Int? {
        guard let v = try int64(key) else { return nil }
        guard v >= Int64(Int32.min), v <= Int64(Int32.max) else {
            throw .invalid("\(at(key)): \(v) is out of range for a 32-bit integer")
        }
        return Int(v)
    }

    func bool(_ key: String) throws(EngineError) -> Bool? {
        guard let v = present(key) else { return nil }
        switch v {
        case .bool(let b): return b
        case .string(let s) where s.lowercased() == "true": return true
        case .string(let s) where s.lowercased() == "false": return false
        default: throw typeError(key, "a boolean", v)
        }
    }

    func object(_ key: String) throws(EngineError) -> JSONObject? {
        guard let v = present(key) else { return nil }
        guard case .object(let o) = v else { throw typeError(key, "an object", v) }
        return o
    }

    func array(_ key: String) throws(EngineError) -> [JSONValue]? {
        guard let v = present(key) else { return nil }
        guard case .array(let a) = v else { throw typeError(key, "an array", v) }
        return a
    }

    func strings(_ key: String) throws(EngineError) -> [String]? {
        guard let a = try array(key) else { return nil }
        var out: [String] = []
        for (i, v) in a.enumerated() {
            guard case .string(let s) = v else { throw typeError("\(key)[\(i)]", "a string", v) }
            out.append(s)
        }
        return out
    }

    func stringMap(_ key: String) throws(EngineError) -> [String: String]? {
        guard let o = try object(key) else { return nil }
        var out: [String: String] = [:]
        for (k, v) in o {
            switch v {
            case .string(let s): out[k] = s
            case .null: continue
            default: throw typeError("\(key).\(k)", "a string", v)
            }
        }
        return out
    }

    func enumValue<E: RawRepresentable>(_ key: String, _ type: E.Type) throws(EngineError) -> E? where E.RawValue == String, E: CaseIterable {
        guard let s = try string(key) else { return nil }
        guard let e = E(rawValue: s) else {
            let allowed = E.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalid("\(at(key)): '\(s)' is not one of \(allowed)")
        }
        return e
    }
}

import Foundation
