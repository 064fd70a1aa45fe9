import BatonEngine
import BatonSupport
import Foundation

/// How values look on a page: times in UTC (the page's script shows them in the reader's zone too),
/// durations in the largest sensible unit, statuses as coloured badges, JSON indented.
enum Format {
    /// `2026-12-07 12:34:56.789` (UTC) for epoch milliseconds; a dash for 0, Conductor's "not yet".
    static func time(_ millis: Int64) -> Markup {
        guard millis > 0 else { return "<span class=\"none\">—</span>" }
        return "<time data-ms=\"\(millis)\">\(utc(millis))</time>"
    }

    /// Conductor's summary timestamp (`2026-12-07T12:34:56.789Z`) written the way a person reads it.
    static func utc(_ millis: Int64) -> String {
        // Written so at once: Foundation's `replacingOccurrences` on the ISO text was a sixth of a
        // 1,000-task page's render.
        WorkflowSummary.iso(millis, separator: UInt8(ascii: " "), zone: false)
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
