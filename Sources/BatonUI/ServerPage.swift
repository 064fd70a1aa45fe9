import BatonAPI
import BatonEngine
import BatonSupport
import Foundation
import Synchronization

/// `/server`: version, database file and size, uptime, the settings in force, the figures of `/metrics`.
struct ServerPage {
    let ui: UIContext
    init(_ ui: UIContext) { self.ui = ui }

    func render() throws -> Page {
        let engine = try ui.executions.engineMetrics()
        let settings = ui.services.configuration
        var facts: [(String, Markup)] = [("Version", "\(ui.services.version)")]
        if let db = settings["db"] { facts.append(("Database", "<span class=\"mono\">\(db.stringValue ?? db.description)</span>")) }
        var metrics: Markup = .empty
        if let o = ui.services.observability {
            facts.append(("Database size", "\(Self.bytes(o.databaseBytes()))"))
            let uptime = Int64((Date().timeIntervalSince1970 - o.processStartTime) * 1000)
            facts.append(("Up for", "\(Format.duration(uptime))"))
            facts.append(("Started", Format.time(Int64(o.processStartTime * 1000))))
            facts.append(("Open connections", "\(o.connections.open.load(ordering: .relaxed))"))
            let text = try MetricsRoutes.text(ui.executions, ui.routes, o)
            metrics = "<section><h2>Metrics</h2><p><a href=\"/metrics\">/metrics</a> as Prometheus scrapes it:</p><details><summary>all figures</summary><pre class=\"metrics\">\(text)</pre></details></section>"
        }
        facts.append(("Active workflows", "\(engine.activeWorkflows)"))
        facts.append(("Tasks waiting", "\(engine.queueDepth.values.reduce(0, +))"))
        facts.append(("Tasks in progress", "\(engine.inProgress.values.reduce(0, +))"))
        facts.append(("Schedules", "\(engine.schedules)"))
        facts.append(("Engine clock", Format.time(ui.executions.now)))
        let settingRows = Markup.join(settings.map { "<tr><td class=\"mono\">\($0.key)</td><td class=\"mono\">\($0.value.stringValue ?? $0.value.description)</td></tr>" })
        let content: Markup = """
            <h1>Server</h1>
            <dl class="facts">\(Markup.join(facts.map { "<div><dt>\($0.0)</dt><dd>\($0.1)</dd></div>" }))</dl>
            <section><h2>Settings</h2><table class="list"><tbody>\(settingRows)</tbody></table></section>
            \(metrics)
            """
        return Page(title: "Server", section: .server, content: content)
    }

    static func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1 << 20 { return "\(n >> 10) KB" }
        if n < 1 << 30 { return String(format: "%.1f MB", Double(n) / 1_048_576) }
        return String(format: "%.2f GB", Double(n) / 1_073_741_824)
    }
}
