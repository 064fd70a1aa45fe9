import Foundation

/// What the command line asks for.
enum Command: Equatable {
    case serve(flags: [String: String], configPath: String?)
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

    static var helpText: String {
        var s = """
        baton \(BatonVersion.current): a Conductor-compatible workflow server in one binary.

        Usage:
          baton [serve] [options]     serve the Conductor API (the default command)
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
