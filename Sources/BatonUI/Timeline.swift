import BatonEngine

/// Where the time went: one row per task attempt on a common scale from the workflow's start, the
/// wait in the queue (scheduled → started) pale and the run (started → ended, or now) solid.
enum Timeline {
    static let rowHeight = 18.0, labelWidth = 210.0, chartWidth = 760.0, axisHeight = 22.0

    static func svg(_ wf: WorkflowModel, now: Int64) -> Markup {
        let t0 = wf.createTime
        let ends = wf.tasks.map { $0.endTime > 0 ? $0.endTime : now } + [wf.endTime > 0 ? wf.endTime : now]
        let t1 = max(ends.max() ?? t0, t0 + 1)
        let scale = chartWidth / Double(t1 - t0)
        func x(_ t: Int64) -> Double { labelWidth + Double(min(max(t, t0), t1) - t0) * scale }
        let width = labelWidth + chartWidth + 10
        let height = axisHeight + rowHeight * Double(max(wf.tasks.count, 1)) + 4
        var out: Markup = ""
        for i in 0...4 {
            let tx = labelWidth + chartWidth * Double(i) / 4
            let anchor: Markup = i == 4 ? " axis-end" : (i == 0 ? " axis-start" : .empty)
            out.append("<line class=\"tick\" x1=\"\(tx)\" y1=\"\(axisHeight - 4)\" x2=\"\(tx)\" y2=\"\(height)\"/>")
            out.append("<text class=\"axis\(anchor)\" x=\"\(tx)\" y=\"12\">\(Format.duration((t1 - t0) * Int64(i) / 4))</text>")
        }
        for (i, t) in wf.tasks.enumerated() {
            let y = axisHeight + rowHeight * Double(i)
            let status = "st-" + Format.cssName(t.status.rawValue)
            out.append("<text class=\"row-label\" x=\"0\" y=\"\(y + 13)\">\(Diagram.clip(t.referenceTaskName, 30))</text>")
            let scheduled = t.scheduledTime > 0 ? t.scheduledTime : t.startTime
            let started = t.startTime > 0 ? t.startTime : (t.status.isTerminal ? t.endTime : now)
            let ended = t.endTime > 0 ? t.endTime : now
            let tip = "\(t.referenceTaskName): queued \(Format.duration(max(0, started - scheduled))), ran \(Format.span(t.startTime, t.endTime, now: now))"
            if scheduled > 0, started > scheduled {
                out.append("<rect class=\"bar queued\" x=\"\(x(scheduled))\" y=\"\(y + 4)\" width=\"\(max(1, x(started) - x(scheduled)))\" height=\"\(rowHeight - 8)\"><title>\(tip)</title></rect>")
            }
            if t.startTime > 0 {
                out.append("<rect class=\"bar \(status)\" x=\"\(x(started))\" y=\"\(y + 3)\" width=\"\(max(2, x(ended) - x(started)))\" height=\"\(rowHeight - 6)\"><title>\(tip)</title></rect>")
            }
        }
        return """
            <svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="task timeline">\(out)</svg>
            """
    }
}
