import BatonHTTP
import BatonSupport

/// Reading parameters and bodies the way Conductor clients send them (see wire.md).
extension HTTPRequest {
    /// A query value; empty and python's literal `None` count as absent.
    func queryValue(_ name: String) -> String? {
        guard let v = query[name], !v.isEmpty, v != "None" else { return nil }
        return v
    }

    /// Booleans as Spring reads them: true/false in any case, 1/0, yes/no, on/off.
    func queryBool(_ name: String, default defaultValue: Bool) throws(APIError) -> Bool {
        guard let v = queryValue(name) else { return defaultValue }
        switch v.lowercased() {
        case "true", "1", "yes", "on": return true
        case "false", "0", "no", "off": return false
        default: throw .badRequest("Invalid boolean value '\(v)' for parameter '\(name)'")
        }
    }

    func queryInt(_ name: String) throws(APIError) -> Int? {
        guard let v = queryValue(name) else { return nil }
        guard let i = Int(v), i >= Int(Int32.min), i <= Int(Int32.max) else {
            throw .badRequest("Invalid integer value '\(v)' for parameter '\(name)'")
        }
        return i
    }

    func queryInt64(_ name: String) throws(APIError) -> Int64? {
        guard let v = queryValue(name) else { return nil }
        guard let i = Int64(v) else { throw .badRequest("Invalid integer value '\(v)' for parameter '\(name)'") }
        return i
    }

    func pathParameter(_ name: String) -> String { pathParameters[name] ?? "" }

    func pathInt(_ name: String) throws(APIError) -> Int {
        let v = pathParameter(name)
        guard let i = Int(v), i >= Int(Int32.min), i <= Int(Int32.max) else {
            throw .badRequest("Invalid integer value '\(v)' for path parameter '\(name)'")
        }
        return i
    }

    /// The body as JSON; a missing or malformed body is a 400.
    func jsonBody() throws -> JSONValue {
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw APIError.badRequest("Required request body is missing")
        }
        do {
            return try JSONParser.parse(body)
        } catch {
            throw APIError.badRequest("JSON parse error: \(error.description)")
        }
    }
}

extension HTTPResponse {
    static func json(_ value: JSONValue, status: Int = 200) -> HTTPResponse {
        .json(JSONWriter.bytes(value), status: status)
    }
}
