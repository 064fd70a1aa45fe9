import Foundation

/// A search of schedule fires (`GET /api/scheduler/search/executions`), with OSS's query grammar:
/// clauses joined by ` AND `: `scheduleName IN (a,b)`, `state IN (EXECUTED,FAILED)`,
/// `scheduledTime>N`, `scheduledTime<N`, `workflowName=x` (a case-insensitive substring),
/// `executionId=x`; any other clause is a schedule name.
public struct ScheduleExecutionQuery: Sendable, Equatable {
    public var scheduleNames: [String] = []
    public var states: [String] = []
    public var scheduledAfter: Int64?
    public var scheduledBefore: Int64?
    public var workflowName: String?
    public var executionId: String?
    public var start = 0
    public var size = 100
    /// Column and direction: scheduledTime, executionTime, scheduleName, workflowName or state.
    public var sort: [(field: String, ascending: Bool)] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.scheduleNames == b.scheduleNames && a.states == b.states && a.scheduledAfter == b.scheduledAfter
            && a.scheduledBefore == b.scheduledBefore && a.workflowName == b.workflowName && a.executionId == b.executionId
            && a.start == b.start && a.size == b.size && a.sort.map(\.field) == b.sort.map(\.field) && a.sort.map(\.ascending) == b.sort.map(\.ascending)
    }

    public init() {}

    public init(query: String?, sort: String?, start: Int, size: Int) throws(EngineError) {
        self.start = max(0, start)
        self.size = max(0, size)
        for clause in (query ?? "").components(separatedBy: " AND ") {
            let c = clause.trimmingCharacters(in: .whitespaces)
            guard !c.isEmpty, c != "*" else { continue }
            if let list = Self.inList(c, "scheduleName") {
                scheduleNames += list
            } else if let list = Self.inList(c, "state") {
                states += list
            } else if c.hasPrefix("scheduledTime>"), let v = Int64(c.dropFirst("scheduledTime>".count).trimmingCharacters(in: .whitespaces)) {
                scheduledAfter = v
            } else if c.hasPrefix("scheduledTime<"), let v = Int64(c.dropFirst("scheduledTime<".count).trimmingCharacters(in: .whitespaces)) {
                scheduledBefore = v
            } else if c.hasPrefix("workflowName=") {
                workflowName = String(c.dropFirst("workflowName=".count))
            } else if c.hasPrefix("executionId=") {
                executionId = String(c.dropFirst("executionId=".count))
            } else {
                scheduleNames.append(c)
            }
        }
        let known = ["scheduledTime", "executionTime", "scheduleName", "workflowName", "state"]
        for item in (sort ?? "").split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            // Not omitting empty pieces: ":" alone is an (unknown) empty field, not an empty list.
            let parts = item.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let field = known.contains(parts[0]) ? parts[0] : "scheduledTime"
            self.sort.append((field, parts.count > 1 && parts[1].uppercased() == "ASC"))
        }
    }

    /// `name IN (a,b)` → [a, b].
    private static func inList(_ clause: String, _ name: String) -> [String]? {
        guard clause.hasPrefix(name) else { return nil }
        let rest = clause.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        guard rest.uppercased().hasPrefix("IN"), let open = rest.firstIndex(of: "("), let close = rest.lastIndex(of: ")"), open < close else { return nil }
        return rest[rest.index(after: open)..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
