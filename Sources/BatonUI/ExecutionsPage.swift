import BatonAPI
import BatonEngine
import BatonHTTP
import BatonSupport
import Foundation

/// `/executions`: search by name, status, correlation id, time range and free text, sorted and
/// paged, with the count, and bulk actions on the rows picked. The filter is a plain GET form, so
/// a search is a link to share.
struct ExecutionsPage {
    static let sorts: [(value: String, label: String)] = [
        ("startTime:DESC", "Newest first"), ("startTime:ASC", "Oldest first"), ("endTime:DESC", "Recently ended"),
        ("updateTime:DESC", "Recently updated"), ("workflowType:ASC", "Name"), ("status:ASC", "Status"),
    ]
    static let sizes = [10, 25, 50, 100]

    let ui: UIContext
    let name: String?, status: String?, correlationId: String?, freeText: String?, from: String?, to: String?
    let sort: String
    let start: Int, size: Int

    init(_ ui: UIContext, _ request: HTTPRequest) throws {
        let q = UIQuery(request)
        self.ui = ui
        name = q.string("name")
        status = q.string("status").flatMap { WorkflowStatus(rawValue: $0) }?.rawValue
        correlationId = q.string("correlationId")
        freeText = q.string("q")
        from = q.string("from")
        to = q.string("to")
        sort = q.string("sort").flatMap { s in Self.sorts.first { $0.value == s }?.value } ?? Self.sorts[0].value
        start = try q.int("start") ?? 0
        size = try q.int("size").map { min(max($0, 1), 500) } ?? 25
    }

    var query: SearchQuery {
        get throws {
            var query = try SearchQuery(query: nil, freeText: freeText, sort: sort, start: start, size: size)
            if let name { query.conditions.append(.init(field: "workflowType", op: .equals, values: [name])) }
            if let status { query.conditions.append(.init(field: "status", op: .equals, values: [status])) }
            if let correlationId { query.conditions.append(.init(field: "correlationId", op: .equals, values: [correlationId])) }
            if let from { query.conditions.append(.init(field: "startTime", op: .greater, values: [String(try Self.millis(from, "from") - 1)])) }
            if let to { query.conditions.append(.init(field: "startTime", op: .less, values: [String(try Self.millis(to, "to") + 1)])) }
            return query
        }
    }

    /// A `datetime-local` value (`2026-12-07T12:30` or with seconds), read as UTC.
    static func millis(_ text: String, _ field: String) throws -> Int64 {
        let parts = text.split(whereSeparator: { "-T:.".contains($0) }).map { Int($0) }
        guard parts.count >= 5, parts.allSatisfy({ $0 != nil }) else { throw APIError.badRequest("\(field): expected a date and time like 2026-12-07T12:30") }
        let p = parts.map { $0! }
        var c = DateComponents()
        (c.year, c.month, c.day, c.hour, c.minute) = (p[0], p[1], p[2], p[3], p[4])
        c.second = p.count > 5 ? p[5] : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let date = calendar.date(from: c) else { throw APIError.badRequest("\(field): not a valid date") }
        return Int64(date.timeIntervalSince1970 * 1000)
    }

    func render() throws -> Page {
        let (total, found) = try ui.executions.search(try query)
        let names = (try? ui.metadata.workflowNames()) ?? []
        let now = ui.executions.now
        let rows = Markup.join(found.map { wf in
            """
            <tr><td><input type="checkbox" name="sel" value="\(wf.workflowId)" aria-label="select \(wf.workflowId)"></td>
            <td><a class="mono" href="/execution/\(url: wf.workflowId)">\(wf.workflowId)</a></td>
            <td><a href="/definitions/workflow/\(url: wf.workflowName)?version=\(wf.workflowVersion)">\(wf.workflowName)</a> <span class="muted">v\(wf.workflowVersion)</span></td>
            <td>\(Format.status(wf.status.rawValue))</td><td>\(wf.correlationId)</td>
            <td>\(Format.time(wf.createTime))</td><td>\(Format.time(wf.endTime))</td>
            <td>\(Format.span(wf.createTime, wf.endTime, now: now))</td></tr>
            """
        })
        let table: Markup = found.isEmpty ? "<p class=\"empty\">No executions match.</p>" : """
            <table class="list" id="executions"><thead><tr><th><input type="checkbox" data-select-all="sel" aria-label="select all"></th>
            <th>Workflow id</th><th>Name</th><th>Status</th><th>Correlation id</th><th>Started (UTC)</th><th>Ended (UTC)</th><th>Duration</th></tr></thead>
            <tbody>\(rows)</tbody></table>
            """
        let content: Markup = """
            <h1>Executions</h1>
            \(filterForm(names))
            <p class="count"><strong id="total">\(total)</strong> \(total == 1 ? "execution" : "executions")\(pageRange(total, shown: found.count))</p>
            \(bulkBar)
            \(table)
            \(pager(total))
            """
        return Page(title: "Executions", section: .executions, content: content)
    }

    private func filterForm(_ names: [String]) -> Markup {
        func option(_ value: String, _ label: String, _ selected: String?) -> Markup {
            value == selected ? "<option value=\"\(value)\" selected>\(label)</option>" : "<option value=\"\(value)\">\(label)</option>"
        }
        let nameOptions = Markup.join([option("", "any", name ?? "")] + names.map { option($0, $0, name) })
        let statusOptions = Markup.join([option("", "any", status ?? "")] + WorkflowStatus.allCases.map { option($0.rawValue, $0.rawValue, status) })
        let sortOptions = Markup.join(Self.sorts.map { option($0.value, $0.label, sort) })
        let sizeOptions = Markup.join(Self.sizes.map { option(String($0), String($0), String(size)) })
        return """
            <form class="filters" method="get" action="/executions">
            <label>Workflow <select name="name">\(nameOptions)</select></label>
            <label>Status <select name="status">\(statusOptions)</select></label>
            <label>Correlation id <input name="correlationId" value="\(correlationId)"></label>
            <label>Started after (UTC) <input type="datetime-local" name="from" value="\(from)"></label>
            <label>Started before (UTC) <input type="datetime-local" name="to" value="\(to)"></label>
            <label>Free text <input type="search" name="q" value="\(freeText)" placeholder="any text in the execution"></label>
            <label>Sort <select name="sort">\(sortOptions)</select></label>
            <label>Per page <select name="size">\(sizeOptions)</select></label>
            <button type="submit">Search</button> <a href="/executions">Clear</a>
            </form>
            """
    }

    private var bulkBar: Markup {
        """
        <div class="bulk" role="toolbar" aria-label="bulk actions"><span class="muted">Selected:</span>
        <form data-api="/api/workflow/bulk/pause" data-method="PUT" data-ids="sel" data-confirm="Pause the selected executions?"><button>Pause</button></form>
        <form data-api="/api/workflow/bulk/resume" data-method="PUT" data-ids="sel" data-confirm="Resume the selected executions?"><button>Resume</button></form>
        <form data-api="/api/workflow/bulk/retry" data-method="POST" data-ids="sel" data-confirm="Retry the selected executions?"><button>Retry</button></form>
        <form data-api="/api/workflow/bulk/restart" data-method="POST" data-ids="sel" data-confirm="Restart the selected executions?"><button>Restart</button>
        <label><input type="checkbox" name="useLatestDefinitions"> latest definitions</label></form>
        <form data-api="/api/workflow/bulk/terminate" data-method="POST" data-ids="sel" data-confirm="Terminate the selected executions?">
        <input name="reason" placeholder="reason" aria-label="termination reason"><button class="danger">Terminate</button></form>
        <form data-api="/api/workflow/bulk/remove" data-method="DELETE" data-ids="sel" data-confirm="Remove the selected executions for good?"><button class="danger">Remove</button></form>
        <output class="result" aria-live="polite"></output></div>
        """
    }

    private func pageRange(_ total: Int, shown: Int) -> Markup {
        shown == 0 || total <= shown ? .empty : " · showing \(start + 1)–\(start + shown)"
    }

    /// Previous and next keep every other parameter of the search.
    private func pager(_ total: Int) -> Markup {
        func link(_ offset: Int, _ label: String) -> Markup {
            var items: [(String, String?)] = [("name", name), ("status", status), ("correlationId", correlationId), ("from", from), ("to", to),
                                              ("q", freeText), ("sort", sort), ("size", String(size))]
            items.append(("start", String(offset)))
            let query = items.compactMap { k, v in v.map { "\(k)=\(Markup.urlComponent($0))" } }.joined(separator: "&")
            return "<a href=\"/executions?\(query)\">\(label)</a>"
        }
        var parts: [Markup] = []
        if start > 0 { parts.append(link(max(0, start - size), "← Previous")) }
        if start + size < total { parts.append(link(start + size, "Next →")) }
        return parts.isEmpty ? .empty : "<nav class=\"pager\">\(Markup.join(parts, separator: " "))</nav>"
    }
}
