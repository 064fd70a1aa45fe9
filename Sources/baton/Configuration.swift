import BatonSupport
import Foundation

/// Every setting of the server. Defaults here equal `config/baton.json` (a test keeps them in step).
struct Configuration: Equatable {
    var host = "127.0.0.1"
    var port = 8080
    var db = "./baton.db"
    var logLevel = "info"
    var maxBodyBytes = 10 * 1024 * 1024
    var maxHeadBytes = 16 * 1024
    var headTimeoutSeconds = 10.0
    var readTimeoutSeconds = 30.0
    var idleTimeoutSeconds = 60.0
    var maxConnections = 1024
    var shutdownGraceSeconds = 10.0
    var sqliteSynchronous = "FULL"
    var sqliteBusyTimeoutMillis = 5000
    var sqliteReaders = 4
    var httpCaFile = ""
    var clock = "wall"
    var clockStart = 0
    var allowReset = false
    var ids = "uuid"
}

/// A setting that could not be used; the message names it and where it came from.
struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    var description: String
}

/// One setting: its name in the JSON file, how to read it, and the rule it must satisfy.
struct Setting: Sendable {
    var key: String
    var help: String
    var apply: @Sendable (inout Configuration, JSONValue) -> String?   // returns an error text, nil when fine
    var value: @Sendable (Configuration) -> JSONValue

    /// `--max-body-bytes`
    var flag: String { "--" + words.joined(separator: "-") }
    /// `BATON_MAX_BODY_BYTES`
    var environmentName: String { "BATON_" + words.joined(separator: "_").uppercased() }

    /// The key split at its capitals, lower-cased: `maxBodyBytes` -> max, body, bytes.
    private var words: [String] {
        var out: [String] = [""]
        for c in key {
            if c.isUppercase { out.append("") }
            out[out.count - 1].append(Character(c.lowercased()))
        }
        return out
    }
}

extension Setting {
    static func string(_ key: String, _ help: String, _ path: WritableKeyPath<Configuration, String> & Sendable,
                       allowed: [String]? = nil, nonEmpty: Bool = true) -> Setting {
        Setting(key: key, help: help, apply: { c, v in
            guard case .string(let s) = v else { return "expected a string" }
            if nonEmpty && s.isEmpty { return "must not be empty" }
            if let allowed, !allowed.contains(s) { return "must be one of \(allowed.joined(separator: ", "))" }
            c[keyPath: path] = s
            return nil
        }, value: { .string($0[keyPath: path]) })
    }

    static func int(_ key: String, _ help: String, _ path: WritableKeyPath<Configuration, Int> & Sendable, range: ClosedRange<Int>) -> Setting {
        Setting(key: key, help: help, apply: { c, v in
            guard let i = v.int64Value, let n = Int(exactly: i) else { return "expected an integer" }
            guard range.contains(n) else { return "must be between \(range.lowerBound) and \(range.upperBound)" }
            c[keyPath: path] = n
            return nil
        }, value: { .int(Int64($0[keyPath: path])) })
    }

    static func bool(_ key: String, _ help: String, _ path: WritableKeyPath<Configuration, Bool> & Sendable) -> Setting {
        Setting(key: key, help: help, apply: { c, v in
            switch v {
            case .bool(let b): c[keyPath: path] = b
            case .string("true"): c[keyPath: path] = true
            case .string("false"): c[keyPath: path] = false
            default: return "expected true or false"
            }
            return nil
        }, value: { .bool($0[keyPath: path]) })
    }

    static func seconds(_ key: String, _ help: String, _ path: WritableKeyPath<Configuration, Double> & Sendable) -> Setting {
        Setting(key: key, help: help, apply: { c, v in
            guard let d = v.doubleValue, d > 0, d <= 86_400 else { return "expected a number of seconds between 0 and 86400" }
            c[keyPath: path] = d
            return nil
        }, value: { c in
            let d = c[keyPath: path]
            return d.rounded() == d ? .int(Int64(d)) : .double(d)
        })
    }

    static let all: [Setting] = [
        .string("host", "address to listen on", \.host),
        .int("port", "TCP port (0 picks a free one)", \.port, range: 0...65535),
        .string("db", "SQLite database file, or :memory: for a throwaway store", \.db),
        .string("logLevel", "debug, info, warning or error", \.logLevel, allowed: LogLevel.allCases.map(\.name)),
        .int("maxBodyBytes", "largest request body accepted (413 beyond)", \.maxBodyBytes, range: 1...(1 << 30)),
        .int("maxHeadBytes", "largest request line + headers accepted (431 beyond)", \.maxHeadBytes, range: 1024...(1 << 20)),
        .seconds("headTimeoutSeconds", "time a client has to send a request's head", \.headTimeoutSeconds),
        .seconds("readTimeoutSeconds", "longest pause while a body arrives, and the send timeout", \.readTimeoutSeconds),
        .seconds("idleTimeoutSeconds", "keep-alive connections idle this long are closed", \.idleTimeoutSeconds),
        .int("maxConnections", "open connections beyond this get 503", \.maxConnections, range: 1...100_000),
        .seconds("shutdownGraceSeconds", "on SIGTERM, how long in-flight requests may take", \.shutdownGraceSeconds),
        .string("sqliteSynchronous", "FULL (survives power loss) or NORMAL (survives process crashes)", \.sqliteSynchronous,
                allowed: ["FULL", "NORMAL"]),
        .int("sqliteBusyTimeoutMillis", "how long SQLite waits on a locked database", \.sqliteBusyTimeoutMillis, range: 0...600_000),
        .int("sqliteReaders", "read connections beside the single writer", \.sqliteReaders, range: 0...64),
        .string("httpCaFile", "PEM certificates the HTTP task trusts for https:// besides the system's", \.httpCaFile, nonEmpty: false),
        .string("clock", "wall, or manual: time stands still until POST /api/admin/clock/advance moves it", \.clock,
                allowed: ["wall", "manual"]),
        .int("clockStart", "epoch ms a manual clock starts at (0: the wall time at start-up)", \.clockStart,
             range: 0...253_402_300_799_999),
        .bool("allowReset", "POST /api/admin/reset may remove every execution (always on with the manual clock)", \.allowReset),
        .string("ids", "uuid (time-ordered), or sequential: the same ids and retry jitter on every run", \.ids,
                allowed: ["uuid", "sequential"]),
    ]
}

extension Configuration {
    /// Merges, lowest first: built-in defaults, the JSON file, `BATON_*` variables, flags.
    static func load(file: (path: String, text: String)?, environment: [String: String], flags: [String: String]) throws(ConfigurationError) -> Configuration {
        var config = Configuration()
        if let (path, text) = file {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch {
                throw ConfigurationError(description: "\(path): not valid JSON: \(error.description)")
            }
            guard case .object(let object) = json else { throw ConfigurationError(description: "\(path): expected a JSON object") }
            for (key, value) in object {
                guard let setting = Setting.all.first(where: { $0.key == key }) else {
                    throw ConfigurationError(description: "\(path): unknown setting '\(key)'")
                }
                if let problem = setting.apply(&config, value) {
                    throw ConfigurationError(description: "\(path): setting '\(key)' \(problem) (got \(value))")
                }
            }
        }
        for setting in Setting.all {
            if let raw = environment[setting.environmentName] {
                if let problem = setting.apply(&config, Self.parseScalar(raw)) {
                    throw ConfigurationError(description: "environment variable \(setting.environmentName)=\(raw): \(problem)")
                }
            }
        }
        for setting in Setting.all {
            if let raw = flags[setting.key] {
                if let problem = setting.apply(&config, Self.parseScalar(raw)) {
                    throw ConfigurationError(description: "\(setting.flag) \(raw): \(problem)")
                }
            }
        }
        return config
    }

    /// Text from the command line or environment: a number when it reads as one, else a string.
    static func parseScalar(_ raw: String) -> JSONValue {
        if let i = Int64(raw) { return .int(i) }
        if let d = Double(raw), raw.contains(".") { return .double(d) }
        return .string(raw)
    }

    /// The configuration as the JSON file would hold it.
    var json: JSONValue {
        .object(JSONObject(Setting.all.map { ($0.key, $0.value(self)) }))
    }
}

extension Configuration {
    /// Every setting by its key, as `config/baton.json` spells them (`GET /api/admin/config`).
    var settingsJSON: JSONObject {
        var o = JSONObject()
        for setting in Setting.all { o[setting.key] = setting.value(self) }
        return o
    }
}
