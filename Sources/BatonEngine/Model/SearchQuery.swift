import BatonSupport

/// A parsed workflow search (semantics.md "Search"): `field op value` conditions joined by AND,
/// free text, sort and paging.
public struct SearchQuery: Sendable, Equatable {
    public enum Op: String, Sendable { case equals = "=", greater = ">", less = "<", isIn = "IN" }

    public struct Condition: Sendable, Equatable {
        public var field: String
        public var op: Op
        public var values: [String]

        public init(field: String, op: Op, values: [String]) {
            self.field = field
            self.op = op
            self.values = values
        }
    }

    /// What a task search (`/tasks/search`, `/workflow/search-by-tasks`) can name: the fields of OSS's
    /// task index.
    public static let taskFields: Set<String> = [
        "taskId", "taskType", "taskDefName", "referenceTaskName", "status", "workflowId", "workflowType", "correlationId",
        "domain", "workerId", "scheduledTime", "startTime", "updateTime", "endTime",
    ]

    public static let fields: Set<String> = [
        "workflowId", "correlationId", "workflowType", "status", "startTime", "endTime", "updateTime",
        "parentWorkflowId", "taskId", "taskType", "taskDefName",
    ]

    public var conditions: [Condition] = []
    public var freeText: String?
    public var sort: [(field: String, ascending: Bool)] = []
    public var start = 0
    public var size = 100

    public static func == (a: SearchQuery, b: SearchQuery) -> Bool {
        a.conditions == b.conditions && a.freeText == b.freeText && a.start == b.start && a.size == b.size
            && a.sort.map(\.field) == b.sort.map(\.field) && a.sort.map(\.ascending) == b.sort.map(\.ascending)
    }

    public init() {}

    /// Parses the query string parameters; fields not in `fields` are ignored, a malformed condition is a 400.
    public init(query: String?, freeText: String?, sort: String?, start: Int, size: Int, fields: Set<String> = SearchQuery.fields) throws(EngineError) {
        guard size <= 5000 else { throw .invalid("Cannot return more than 5000 workflows. Please use pagination.") }
        self.start = max(0, start)
        self.size = max(0, size)
        if let text = freeText?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text != "*" { self.freeText = text }
        for part in (query ?? "").components(separatedBy: " AND ") {
            let clause = part.trimmingCharacters(in: .whitespaces)
            guard !clause.isEmpty else { continue }
            guard let c = Self.condition(clause) else { throw .invalid("Invalid search query condition: \(clause)") }
            if fields.contains(c.field) { conditions.append(c) }
        }
        for item in (sort ?? "").split(separator: "|") {
            let parts = item.split(separator: ":")
            guard let f = parts.first.map({ String($0).trimmingCharacters(in: .whitespaces) }), fields.contains(f) else { continue }
            self.sort.append((f, parts.count < 2 || parts[1].uppercased() != "DESC"))
        }
    }

    private static func strip(_ s: Substring) -> String {
        var v = s.trimmingCharacters(in: .whitespaces)
        while let f = v.first, let l = v.last, v.count >= 2, (f == "'" && l == "'") || (f == "\"" && l == "\"") || (f == "(" && l == ")") {
            v = String(v.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
        }
        return v
    }

    static func condition(_ clause: String) -> Condition? {
        if let r = clause.range(of: " IN ", options: .caseInsensitive) {
            let field = clause[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
            let values = strip(clause[r.upperBound...]).split(separator: ",").map { strip($0) }.filter { !$0.isEmpty }
            return field.isEmpty || values.isEmpty ? nil : Condition(field: field, op: .isIn, values: values)
        }
        for op in [Op.equals, .greater, .less] {
            if let r = clause.range(of: op.rawValue) {
                let field = clause[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = strip(clause[r.upperBound...])
                return field.isEmpty ? nil : Condition(field: field, op: op, values: [value])
            }
        }
        return nil
    }
}
