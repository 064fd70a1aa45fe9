import BatonSupport

/// How values look on a page: times in UTC (the page's script shows them in the reader's zone too),
/// durations in the largest sensible unit, statuses as coloured badges, JSON indented.
enum Format {
    /// `2026-12-07 12:34:56.789` (UTC) for epoch milliseconds; a dash for 0, Conductor's "not yet".
    static func time(_ millis: Int64) -> Markup {
        guard millis > 0 else { return "<span class=\"none\">—</span>" }
        return "<time data-ms=\"\(millis)\">\(utc(millis))</time>"
    }

    static func utc(_ millis: Int64) -> String {
        let seconds = millis / 1000, ms = Int(millis % 1000)
        let days = Int(seconds / 86_400), secondOfDay = Int(seconds % 86_400)
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { String(n).leftPadded(to: 2) }
        return "\(year)-\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay / 60 % 60)):\(two(secondOfDay % 60))"
            + ".\(String(ms).leftPadded(to: 3))"
    }

    /// `840 ms`, `4.2 s`, `3 m 12 s`, `2 h 3 m`.
    static func duration(_ millis: Int64) -> String {
        if millis < 1000 { return "\(max(0, millis)) ms" }
        if millis < 60_000 { return "\(Double(millis / 100) / 10) s" }
        let s = millis / 1000
        if s < 3600 { return "\(s / 60) m \(s % 60) s" }
        if s < 86_400 { return "\(s / 3600) h \(s / 60 % 60) m" }
        return "\(s / 86_400) d \(s / 3600 % 24) h"
    }

    /// The time from `start` to `end` (or to `now` while it runs); a dash when it never started.
    static func span(_ start: Int64, _ end: Int64, now: Int64) -> String {
        guard start > 0 else { return "—" }
        return duration((end > 0 ? end : now) - start)
    }

    static func status(_ status: String) -> Markup {
        "<span class=\"st st-\(cssName(status))\">\(status)</span>"
    }

    /// `FAILED_WITH_TERMINAL_ERROR` → `failed_with_terminal_error`, limited to what a class name may hold.
    static func cssName(_ status: String) -> String {
        String(status.lowercased().unicodeScalars.filter { ($0 >= "a" && $0 <= "z") || $0 == "_" })
    }

    static func json(_ value: JSONValue) -> Markup { "<pre class=\"json\">\(JSONWriter.pretty(value))</pre>" }
    static func json(_ object: JSONObject) -> Markup { json(.object(object)) }
}
