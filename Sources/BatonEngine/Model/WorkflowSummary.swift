import BatonSupport

/// `WorkflowSummary` as search returns it: times as ISO-8601 UTC strings, input/output as JSON text.
public enum WorkflowSummary {
    public static func json(_ wf: WorkflowModel) -> JSONObject {
        var o = JSONObject()
        o["workflowType"] = .string(wf.workflowName)
        o["version"] = .int(Int64(wf.workflowVersion))
        o["workflowId"] = .string(wf.workflowId)
        if let c = wf.correlationId { o["correlationId"] = .string(c) }
        o["startTime"] = .string(iso(wf.createTime))
        o["updateTime"] = .string(iso(wf.updateTime))
        if wf.endTime > 0 { o["endTime"] = .string(iso(wf.endTime)) }
        o["status"] = .string(wf.status.rawValue)
        let input = JSONWriter.string(.object(wf.input)), output = JSONWriter.string(.object(wf.output))
        o["input"] = .string(input)
        o["output"] = .string(output)
        if let r = wf.reasonForIncompletion { o["reasonForIncompletion"] = .string(r) }
        o["executionTime"] = .int(wf.endTime > 0 ? wf.endTime - wf.createTime : 0)
        if let e = wf.event { o["event"] = .string(e) }
        o["failedReferenceTaskNames"] = .string(wf.failedReferenceTaskNames.joined(separator: ","))
        o["failedTaskNames"] = .array(wf.failedTaskNames.map(JSONValue.string))
        o["priority"] = .int(Int64(wf.priority))
        o["taskToDomain"] = .object(wf.taskToDomain)
        if let c = wf.createdBy { o["createdBy"] = .string(c) }
        if let k = wf.idempotencyKey { o["idempotencyKey"] = .string(k) }
        o["parentWorkflowId"] = .string(wf.parentWorkflowId ?? "")
        o["inputSize"] = .int(Int64(input.utf8.count))
        o["outputSize"] = .int(Int64(output.utf8.count))
        return o
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS'Z'` for epoch milliseconds (UTC; Howard Hinnant's civil-from-days).
    /// `separator` between date and time and the `Z` are what the web UI changes (`2026-12-07 12:34:56.789`).
    public static func iso(_ millis: Int64, separator: UInt8 = UInt8(ascii: "T"), zone: Bool = true) -> String {
        let ms = ((millis % 1000) + 1000) % 1000
        let secs = (millis - ms) / 1000
        let days = (secs >= 0 ? secs : secs - 86_399) / 86_400
        let rem = secs - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        // Digits written into one buffer: a page of 1,000 tasks shows 3,000 of these, and a string per
        // field (padded by concatenation) made them a tenth of its render.
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func put(_ value: Int64, _ width: Int, then separator: UInt8) {
            var divisor: Int64 = 1
            for _ in 1..<width { divisor *= 10 }
            if value < 0 || value >= divisor * 10 {   // a year beyond 0...9999: its digits as they come
                let text = String(value)
                out += Array(repeating: UInt8(ascii: "0"), count: max(0, width - text.utf8.count)) + Array(text.utf8)
            } else {
                var rest = value
                while divisor > 0 {
                    out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
                    rest %= divisor
                    divisor /= 10
                }
            }
            out.append(separator)
        }
        put(y, 4, then: UInt8(ascii: "-"))
        put(m, 2, then: UInt8(ascii: "-"))
        put(d, 2, then: separator)
        put(rem / 3600, 2, then: UInt8(ascii: ":"))
        put(rem % 3600 / 60, 2, then: UInt8(ascii: ":"))
        put(rem % 60, 2, then: UInt8(ascii: "."))
        put(ms, 3, then: UInt8(ascii: "Z"))
        if !zone { out.removeLast() }
        return String(decoding: out, as: UTF8.self)
    }
}
