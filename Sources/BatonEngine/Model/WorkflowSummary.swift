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
    public static func iso(_ millis: Int64) -> String {
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
        func pad(_ v: Int64, _ n: Int) -> String { String(repeating: "0", count: max(0, n - String(v).count)) + String(v) }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad(rem % 3600 / 60, 2)):\(pad(rem % 60, 2)).\(pad(ms, 3))Z"
    }
}
