import BatonHTTP
import BatonSupport

/// `GET /api-docs` (OSS's path): an OpenAPI 3.0 document of every route Baton serves, built from
/// `APIOperations.all`. A unit test holds that table and the router's table to the same set of
/// (method, path) pairs, so a route cannot ship undocumented.
public enum OpenAPIDocument {
    /// Every response may also be a Conductor error; "4XX" covers the statuses a route refuses with.
    static let errorResponses: JSONObject = [
        "4XX": ["description": "Refused: Conductor's error shape.", "content": ["application/json": ["schema": Schema.ref("Error")]]],
    ]

    public static func json(version: String) -> JSONValue {
        var paths = JSONObject()
        for op in APIOperations.all {
            var item = paths[op.path]?.objectValue ?? JSONObject()
            item[op.method.lowercased()] = .object(op.json)
            paths[op.path] = .object(item)
        }
        return [
            "openapi": "3.0.3",
            "info": [
                "title": "Baton: Conductor-compatible workflow server",
                "description": "Conductor's REST API as Baton serves it, plus Baton's own test controls under /api/admin.",
                "version": .string(version),
            ],
            "servers": [["url": "/", "description": "this server"]],
            "paths": .object(paths),
            "components": ["schemas": .object(APISchemas.components)],
        ]
    }

    static func register(on router: inout Router, version: String) {
        // Built once: the table is fixed for the life of the process.
        let body = JSONWriter.bytes(json(version: version))
        router.add("GET", "/api-docs", { _ in .json(body) })
    }
}

/// One operation of the document.
struct APIOperation: Sendable {
    enum Body: Sendable {
        case json(JSONValue, required: Bool = true)
        case text
    }

    enum Content: Sendable {
        case json(JSONValue)
        case text
        case media(String, JSONValue)
    }

    struct Response: Sendable {
        var status: String
        var description: String
        var content: [Content]
    }

    struct Parameter: Sendable {
        var name: String
        var location: String
        var schema: JSONValue
        var required: Bool
        var description: String?
    }

    var method: String
    var path: String
    var tag: String
    var operationId: String
    var summary: String
    var parameters: [Parameter]
    var body: Body?
    var responses: [Response]

    /// Path variables not listed in `parameters` are non-empty strings.
    var json: JSONObject {
        var params: [JSONValue] = []
        for name in pathVariables {
            let given = parameters.first { $0.location == "path" && $0.name == name }
            params.append(given.map(Self.json) ?? Self.json(Parameter(name: name, location: "path", schema: Schema.pathString,
                                                                      required: true, description: nil)))
        }
        params += parameters.filter { $0.location != "path" }.map(Self.json)
        var o: JSONObject = ["tags": [.string(tag)], "summary": .string(summary), "operationId": .string(operationId)]
        if !params.isEmpty { o["parameters"] = .array(params) }
        switch body {
        case .json(let schema, let required)?:
            o["requestBody"] = ["required": .bool(required), "content": ["application/json": ["schema": schema]]]
        case .text?:
            // Stored as sent: conductor-python sends a JSON string, curl users plain text.
            o["requestBody"] = ["required": true, "content": ["text/plain": ["schema": Schema.string],
                                                              "application/json": ["schema": Schema.string]]]
        case nil: break
        }
        var responses = OpenAPIDocument.errorResponses
        for r in self.responses {
            var item: JSONObject = ["description": .string(r.description)]
            if !r.content.isEmpty {
                var content = JSONObject()
                for c in r.content {
                    switch c {
                    case .json(let schema): content["application/json"] = ["schema": schema]
                    case .text: content["text/plain"] = ["schema": Schema.string]
                    case .media(let type, let schema): content[type] = ["schema": schema]
                    }
                }
                item["content"] = .object(content)
            }
            responses[r.status] = .object(item)
        }
        o["responses"] = .object(responses)
        return o
    }

    var pathVariables: [String] {
        path.split(separator: "/").filter { $0.hasPrefix("{") && $0.hasSuffix("}") }.map { String($0.dropFirst().dropLast()) }
    }

    private static func json(_ p: Parameter) -> JSONValue {
        var o: JSONObject = ["name": .string(p.name), "in": .string(p.location), "required": .bool(p.required), "schema": p.schema]
        if let d = p.description { o["description"] = .string(d) }
        return .object(o)
    }
}

/// Schema fragments the operation table and the components share.
enum Schema {
    static let string: JSONValue = ["type": "string"]
    static let pathString: JSONValue = ["type": "string", "minLength": 1]
    static let boolean: JSONValue = ["type": "boolean"]
    static let int32: JSONValue = ["type": "integer", "format": "int32"]
    static let int64: JSONValue = ["type": "integer", "format": "int64"]
    static let number: JSONValue = ["type": "number"]
    static let anyObject: JSONValue = ["type": "object", "additionalProperties": true]
    /// Any JSON value (task inputs and outputs hold anything).
    static let any: JSONValue = [:]
    static let strings = array(string)
    /// A name Conductor requires (`@NotEmpty`).
    static let name: JSONValue = ["type": "string", "minLength": 1]
    static func nonEmptyArray(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items, "minItems": 1] }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func map(_ values: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": values] }
    static func enumeration(_ values: [String], default value: String? = nil) -> JSONValue {
        var o: JSONObject = ["type": "string", "enum": .array(values.map(JSONValue.string))]
        if let value { o["default"] = .string(value) }
        return .object(o)
    }
    static func enumeration<E: CaseIterable & RawRepresentable>(_ type: E.Type) -> JSONValue where E.RawValue == String {
        enumeration(type.allCases.map(\.rawValue))
    }
    static func bool(default value: Bool) -> JSONValue { ["type": "boolean", "default": .bool(value)] }
    static func int32(default value: Int64, minimum: Int64? = nil, maximum: Int64? = nil) -> JSONValue {
        var o: JSONObject = ["type": "integer", "format": "int32", "default": .int(value)]
        if let minimum { o["minimum"] = .int(minimum) }
        if let maximum { o["maximum"] = .int(maximum) }
        return .object(o)
    }

    /// An object schema; `required` names must be among `properties`. Other fields are allowed:
    /// Conductor keeps fields a client sends that its model does not know, and so does Baton.
    static func object(_ properties: KeyValuePairs<String, JSONValue>, required: [String] = [], description: String? = nil) -> JSONValue {
        var props = JSONObject()
        for (k, v) in properties { props[k] = v }
        var o: JSONObject = ["type": "object", "properties": .object(props)]
        if !required.isEmpty { o["required"] = .array(required.map(JSONValue.string)) }
        if let description { o["description"] = .string(description) }
        return .object(o)
    }
}
