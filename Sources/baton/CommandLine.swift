import Foundation

/// What the command line asks for.
enum Command: Equatable {
    case serve(flags: [String: String], configPath: String?)
    /// `baton snapshot [--db FILE] OUT`
    case snapshot(db: String, out: String)
    /// `baton export --to URL` / `baton import --from URL`
    case copyDefinitions(DefinitionCopy.Plan)
    case help
    case version
}

struct UsageError: Error, CustomStringConvertible, Equatable {
    var description: String
}

enum CommandLineParser {
    /// `baton [serve] [--host H] [--port P] [--db PATH] [--config FILE] [--<setting> V]...`
    static func parse(_ arguments: [String]) throws(UsageError) -> Command {
        var args = arguments[...]
        if let first = args.first {
            switch first {
            case "serve": args = args.dropFirst()
            case "snapshot": return try parseSnapshot(args.dropFirst())
            case "export", "import": return try parseCopy(first, args.dropFirst())
            case "help", "--help", "-h": return .help
            case "version", "--version", "-V": return .version
            default:
                if !first.hasPrefix("-") { throw UsageError(description: "unknown command '\(first)'; try 'baton --help'") }
            }
        }
        var flags: [String: String] = [:]
        var configPath: String?
        while let arg = args.popFirst() {
            if arg == "--help" || arg == "-h" { return .help }
            if arg == "--version" { return .version }
            guard arg.hasPrefix("--") else { throw UsageError(description: "unexpected argument '\(arg)'") }
            var name = String(arg.dropFirst(2))
            var value: String?
            if let eq = name.firstIndex(of: "=") {
                value = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            if value == nil {
                guard let next = args.popFirst() else { throw UsageError(description: "option --\(name) needs a value") }
                value = next
            }
            if name == "config" {
                configPath = value
                continue
            }
            guard let setting = Setting.all.first(where: { $0.flag == "--\(name)" }) else {
                throw UsageError(description: "unknown option --\(name); try 'baton --help'")
            }
            flags[setting.key] = value
        }
        return .serve(flags: flags, configPath: configPath)
    }

    /// Options of the form `--name value` or `--name=value`; bare words in order; flags without a value.
    private static func options(_ args: ArraySlice<String>, valueless: Set<String>) throws(UsageError) -> (named: [String: String], words: [String]) {
        var args = args
        var named: [String: String] = [:]
        var words: [String] = []
        while let arg = args.popFirst() {
            guard arg.hasPrefix("--") else {
                words.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            if let eq = name.firstIndex(of: "=") {
                named[String(name[..<eq])] = String(name[name.index(after: eq)...])
                continue
            }
            if valueless.contains(name) {
                named[name] = "true"
                continue
            }
            guard let next = args.popFirst() else { throw UsageError(description: "option --\(name) needs a value") }
            name = String(name)
            named[name] = next
        }
        return (named, words)
    }

    private static func parseSnapshot(_ args: ArraySlice<String>) throws(UsageError) -> Command {
        let (named, words) = try options(args, valueless: [])
        if let unknown = named.keys.first(where: { $0 != "db" }) { throw UsageError(description: "unknown option --\(unknown) for snapshot") }
        guard words.count == 1 else { throw UsageError(description: "usage: baton snapshot [--db FILE] OUT") }
        return .snapshot(db: named["db"] ?? Configuration().db, out: words[0])
    }

    /// `export` copies from the local server (`--from`, default the server the defaults serve) to
    /// `--to`; `import` copies from `--from` into the local server (`--to`, same default).
    private static func parseCopy(_ verb: String, _ args: ArraySlice<String>) throws(UsageError) -> Command {
        let (named, words) = try options(args, valueless: ["dry-run"])
        if let unknown = named.keys.first(where: { !["from", "to", "dry-run"].contains($0) }) {
            throw UsageError(description: "unknown option --\(unknown) for \(verb)")
        }
        guard words.isEmpty else { throw UsageError(description: "unexpected argument '\(words[0])'") }
        let local = "http://\(Configuration().host):\(Configuration().port)"
        let remote = verb == "export" ? named["to"] : named["from"]
        guard let remote, !remote.isEmpty else {
            throw UsageError(description: "usage: baton \(verb) \(verb == "export" ? "--to" : "--from") URL [\(verb == "export" ? "--from" : "--to") URL] [--dry-run]")
        }
        for url in [remote, named["from"], named["to"]].compactMap({ $0 }) where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw UsageError(description: "'\(url)' is not an http:// or https:// URL")
        }
        let dryRun = named["dry-run"].map { $0 != "false" } ?? false
        return verb == "export"
            ? .copyDefinitions(.init(verb: verb, from: named["from"] ?? local, to: remote, dryRun: dryRun))
            : .copyDefinitions(.init(verb: verb, from: remote, to: named["to"] ?? local, dryRun: dryRun))
    }

    static var helpText: String {
        var s = """
        baton \(BatonVersion.current): a Conductor-compatible workflow server in one binary.

        Usage:
          baton [serve] [options]     serve the Conductor API (the default command)
          baton snapshot [--db FILE] OUT
                                      copy the database consistently (also while it is served)
          baton export --to URL [--from URL] [--dry-run]
                                      register every task and workflow definition (all versions) and
                                      event handler of this server (--from, default http://127.0.0.1:8080)
                                      in the Conductor server at URL
          baton import --from URL [--to URL] [--dry-run]
                                      the same the other way: from the server at URL into this one
          baton --help                this text
          baton --version             the version

        Options (each also settable in config/baton.json and as a BATON_* environment variable;
        flags beat the environment, which beats the file):
          --config FILE                     configuration file (default: config/baton.json when present; env BATON_CONFIG)

        """
        let defaults = Configuration().json
        for setting in Setting.all {
            let flag = "\(setting.flag) V".padding(toLength: 34, withPad: " ", startingAt: 0)
            s += "  \(flag)\(setting.help) (default \(defaults[setting.key].map { String(describing: $0) } ?? "-"); env \(setting.environmentName))\n"
        }
        return s
    }
}

enum BatonVersion {
    static let current = "0.1.0"
}
