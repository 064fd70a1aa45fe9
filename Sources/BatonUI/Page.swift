import BatonHTTP

/// One HTML page in the common frame: the navigation bar, the page's own content, the shared
/// stylesheet and script (served by `WebUI` from inside the binary; no CDN, no network).
struct Page {
    enum Section: String, CaseIterable {
        case executions = "Executions", definitions = "Definitions", queues = "Queues", server = "Server"
        var path: String { "/" + rawValue.lowercased() }
    }

    var title: String
    var section: Section
    var content: Markup
    var status = 200

    func response() -> HTTPResponse {
        let nav = Markup.join(Section.allCases.map { s in
            s == section ? "<a href=\"\(s.path)\" aria-current=\"page\">\(s.rawValue)</a>" : "<a href=\"\(s.path)\">\(s.rawValue)</a>"
        })
        let page: Markup = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · Baton</title><link rel="stylesheet" href="/ui/baton.css"><script src="/ui/baton.js" defer></script></head>
            <body><header class="top"><a class="brand" href="/">Baton</a><nav>\(nav)</nav></header>
            <main id="main">\(content)</main></body></html>
            """
        return Page.html(page.html, status: status)
    }

    /// Pages are never cached (they show live state), and the content security policy allows only
    /// Baton's own script: even a value that escaped escaping could not run.
    static func html(_ text: String, status: Int = 200) -> HTTPResponse {
        var r = HTTPResponse(status: status, body: Array(text.utf8))
        r.headers.set("Content-Type", "text/html; charset=utf-8")
        r.headers.set("Cache-Control", "no-store")
        r.headers.set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
        r.headers.set("X-Content-Type-Options", "nosniff")
        return r
    }
}
