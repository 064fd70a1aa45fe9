import BatonEngine
import BatonSupport

/// A workflow drawn as SVG from its definition, laid out by Baton: tasks top to bottom, fork
/// branches and switch cases side by side, a loop's body inside a frame. Given an execution, each
/// task is coloured by the status of its latest attempt, the switch case taken is marked, a loop
/// shows its iteration count, a sub-workflow links to its child, and a dynamic fork shows the
/// branches it expanded into.
struct Diagram {
    static let boxWidth = 184.0, boxHeight = 44.0, rowGap = 26.0, columnGap = 18.0, framePad = 12.0, labelHeight = 16.0

    /// A laid-out piece: its size, and how to draw it with its top-left corner at (x, y). Edges enter
    /// at the top centre and leave at the bottom centre.
    struct Node {
        var width: Double
        var height: Double
        var draw: (_ x: Double, _ y: Double) -> Markup
    }

    let run: WorkflowModel?
    /// The latest attempt of each reference name; a loop iteration (`ref__3`) also counts for `ref`.
    let latest: [String: TaskModel]

    init(run: WorkflowModel?) {
        self.run = run
        var latest: [String: TaskModel] = [:]
        for task in run?.tasks ?? [] {
            latest[task.referenceTaskName] = task
            let base = baseReferenceName(task.referenceTaskName)
            if base != task.referenceTaskName { latest[base] = task }
        }
        self.latest = latest
    }

    static func svg(_ definition: WorkflowDef, run: WorkflowModel? = nil) -> Markup {
        Diagram(run: run).svg(definition.tasks)
    }

    func svg(_ tasks: [WorkflowTask]) -> Markup {
        let body = sequence(tasks)
        let margin = 16.0, terminal = 22.0
        let width = max(body.width, Self.boxWidth) + 2 * margin
        let height = body.height + 2 * (terminal + Self.rowGap) + 2 * margin
        let cx = width / 2
        let top = margin + terminal + Self.rowGap
        let endY = top + body.height + Self.rowGap
        return """
            <svg class="diagram" xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" viewBox="0 0 \(width) \(height)" role="img" aria-label="workflow diagram">
            <defs><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="arrowhead"/></marker></defs>
            <rect class="terminal" x="\(cx - 34)" y="\(margin)" width="68" height="\(terminal)" rx="11"/><text class="terminal-label" x="\(cx)" y="\(margin + 15)">start</text>
            \(edge(cx, margin + terminal, cx, top))
            \(body.draw((width - body.width) / 2, top))
            \(edge(cx, top + body.height, cx, endY))
            <rect class="terminal" x="\(cx - 34)" y="\(endY)" width="68" height="\(terminal)" rx="11"/><text class="terminal-label" x="\(cx)" y="\(endY + 15)">end</text>
            </svg>
            """
    }

    // MARK: Layout

    func sequence(_ tasks: [WorkflowTask]) -> Node {
        let nodes = tasks.map(node)
        guard !nodes.isEmpty else {
            return Node(width: Self.boxWidth / 2, height: Self.rowGap) { x, y in
                "<line class=\"edge\" x1=\"\(x + Self.boxWidth / 4)\" y1=\"\(y)\" x2=\"\(x + Self.boxWidth / 4)\" y2=\"\(y + Self.rowGap)\"/>"
            }
        }
        let width = nodes.map(\.width).max() ?? 0
        let height = nodes.map(\.height).reduce(0, +) + Self.rowGap * Double(nodes.count - 1)
        return Node(width: width, height: height) { x, y in
            var out = Markup.empty
            var top = y
            for (i, n) in nodes.enumerated() {
                if i > 0 { out.append(edge(x + width / 2, top - Self.rowGap, x + width / 2, top)) }
                out.append(n.draw(x + (width - n.width) / 2, top))
                top += n.height + Self.rowGap
            }
            return out
        }
    }

    func node(_ task: WorkflowTask) -> Node {
        switch task.taskType {
        case .forkJoin?, .fork?:
            return branches(task, task.forkTasks.map { (nil, sequence($0), nil) })
        case .forkJoinDynamic?:
            let forked = latest[task.taskReferenceName]?.inputData["forkedTasks"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let expanded: [(String?, Node, Bool?)] = forked.compactMap { ref in latest[ref].map { (nil, box($0.workflowTask), nil) } }
            return expanded.isEmpty ? box(task, note: "dynamic branches") : branches(task, expanded)
        case .switchTask?, .decision?:
            let attempt = latest[task.taskReferenceName]
            let selected = attempt?.status.isTerminal == true ? attempt?.outputData["selectedCase"]?.stringValue ?? "" : nil
            let values = task.decisionCases.map(\.caseValue)
            var cases: [(String?, Node, Bool?)] = task.decisionCases.map { c in (c.caseValue, sequence(c.tasks), selected.map { $0 == c.caseValue }) }
            cases.append(("default", sequence(task.defaultCase), selected.map { !values.contains($0) }))
            return branches(task, cases)
        case .doWhile?:
            return loop(task)
        default:
            return box(task)
        }
    }

    /// A head box, its branches side by side (labelled when they are cases), and the point where they meet.
    func branches(_ head: WorkflowTask, _ parts: [(label: String?, node: Node, taken: Bool?)]) -> Node {
        let headBox = box(head)
        let labels = parts.contains { $0.label != nil } ? Self.labelHeight : 0
        let inner = parts.map(\.node.width).reduce(0, +) + Self.columnGap * Double(max(0, parts.count - 1))
        let width = max(Self.boxWidth, inner)
        let tallest = parts.map(\.node.height).max() ?? 0
        let height = Self.boxHeight + Self.rowGap + labels + tallest + Self.rowGap
        return Node(width: width, height: height) { x, y in
            let cx = x + width / 2
            var out = headBox.draw(cx - Self.boxWidth / 2, y)
            let split = y + Self.boxHeight + Self.rowGap / 2
            let branchTop = y + Self.boxHeight + Self.rowGap + labels
            let join = y + height
            var left = x + (width - inner) / 2
            for part in parts {
                let bx = left + part.node.width / 2
                let cls = part.taken.map { $0 ? "edge taken" : "edge untaken" } ?? "edge"
                out.append("<path class=\"\(cls)\" d=\"M\(cx),\(y + Self.boxHeight) V\(split) H\(bx) V\(branchTop)\" marker-end=\"url(#arrow)\"/>")
                if let label = part.label {
                    let labelClass = part.taken == true ? "case-label taken" : "case-label"
                    out.append("<text class=\"\(labelClass)\" x=\"\(bx + 6)\" y=\"\(branchTop - 4)\">\(Self.clip(label, 26))</text>")
                }
                out.append(part.node.draw(left, branchTop))
                out.append("<path class=\"\(cls)\" d=\"M\(bx),\(branchTop + part.node.height) V\(join - Self.rowGap / 2) H\(cx) V\(join)\"/>")
                left += part.node.width + Self.columnGap
            }
            return out
        }
    }

    /// The DO_WHILE task heads a frame holding its body; an execution adds the iteration count.
    func loop(_ task: WorkflowTask) -> Node {
        let body = sequence(task.loopOver)
        let attempt = latest[task.taskReferenceName]
        let iterations = attempt.map { $0.outputData["iteration"]?.int64Value ?? Int64($0.iteration) }
        let head = box(task, note: iterations.map { "↻ \($0) iteration\($0 == 1 ? "" : "s")" } ?? "↻ loop")
        let width = max(Self.boxWidth, body.width) + 2 * Self.framePad
        let height = Self.boxHeight + Self.rowGap + body.height + Self.framePad
        return Node(width: width, height: height) { x, y in
            let cx = x + width / 2
            return """
                <rect class="loop-frame" x="\(x)" y="\(y + Self.boxHeight / 2)" width="\(width)" height="\(height - Self.boxHeight / 2)" rx="10"/>
                \(head.draw(cx - Self.boxWidth / 2, y))
                \(edge(cx, y + Self.boxHeight, cx, y + Self.boxHeight + Self.rowGap))
                \(body.draw(x + (width - body.width) / 2, y + Self.boxHeight + Self.rowGap))
                """
        }
    }

    /// One task: reference name, type, and the status of its latest attempt; a link to the child
    /// execution for a sub-workflow, to the task's row in the task list otherwise.
    func box(_ task: WorkflowTask, note: String? = nil) -> Node {
        let attempt = latest[task.taskReferenceName]
        let state = attempt.map { "st-" + Format.cssName($0.status.rawValue) } ?? (run == nil ? "definition" : "not-reached")
        let kind = task.type == "SIMPLE" ? task.name : task.type
        let second = note ?? (attempt.map { "\(kind) · \($0.status.rawValue)" } ?? kind)
        let tip = "\(task.taskReferenceName) (\(task.type))" + (attempt.map { ": \($0.status.rawValue)" } ?? "")
        let link: String? = attempt.flatMap { a in
            a.subWorkflowId.map { "/execution/" + Markup.urlComponent($0) } ?? "#task-" + Markup.urlComponent(a.taskId)
        }
        return Node(width: Self.boxWidth, height: Self.boxHeight) { x, y in
            let shape: Markup = """
                <g class="node \(state)" data-ref="\(task.taskReferenceName)"><title>\(tip)</title>
                <rect x="\(x)" y="\(y)" width="\(Self.boxWidth)" height="\(Self.boxHeight)" rx="6"/>
                <text class="ref" x="\(x + Self.boxWidth / 2)" y="\(y + 18)">\(Self.clip(task.taskReferenceName, 24))</text>
                <text class="kind" x="\(x + Self.boxWidth / 2)" y="\(y + 34)">\(Self.clip(second, 30))</text></g>
                """
            guard let link else { return shape }
            let child: Markup = attempt?.subWorkflowId == nil ? .empty : " class=\"child-link\""
            return "<a href=\"\(link)\"\(child)>\(shape)</a>"
        }
    }

    func edge(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> Markup {
        "<line class=\"edge\" x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" marker-end=\"url(#arrow)\"/>"
    }

    static func clip(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }
}
