@testable import baton
import BatonSupport
import Foundation
import Testing

@Suite struct ConfigurationTests {
    /// The shipped file documents every setting with its default; it must not drift from the code.
    @Test func theShippedFileHoldsEverySettingWithItsDefault() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appending(path: "../../config/baton.json")
        let text = try String(contentsOf: url, encoding: .utf8)
        let file = try JSONParser.parse(text)
        #expect(file == Configuration().json)
        #expect(try Configuration.load(file: ("baton.json", text), environment: [:], flags: [:]) == Configuration())
    }

    @Test func flagsBeatTheEnvironmentWhichBeatsTheFile() throws {
        let file = ("c.json", #"{"port": 1000, "db": "file.db", "host": "0.0.0.0"}"#)
        let c = try Configuration.load(file: file, environment: ["BATON_PORT": "2000", "BATON_DB": "env.db"], flags: ["port": "3000"])
        #expect(c.port == 3000)
        #expect(c.db == "env.db")
        #expect(c.host == "0.0.0.0")
        #expect(c.maxBodyBytes == 10 * 1024 * 1024)
    }

    @Test(arguments: [
        (#"{"port": "x"}"#, [String: String](), [String: String](), "setting 'port'"),
        (#"{"nope": 1}"#, [:], [:], "unknown setting 'nope'"),
        ("{", [:], [:], "not valid JSON"),
        ("{}", ["BATON_PORT": "abc"], [:], "BATON_PORT=abc"),
        ("{}", [:], ["port": "70000"], "--port 70000"),
        ("{}", [:], ["logLevel": "loud"], "--log-level loud"),
        ("{}", [:], ["sqliteSynchronous": "OFF"], "--sqlite-synchronous OFF"),
        ("{}", [:], ["idleTimeoutSeconds": "-1"], "--idle-timeout-seconds -1"),
    ])
    func aBadSettingIsNamed(_ file: String, _ env: [String: String], _ flags: [String: String], _ expected: String) {
        do {
            _ = try Configuration.load(file: ("c.json", file), environment: env, flags: flags)
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func namesDeriveFromKeys() {
        let s = Setting.all.first { $0.key == "maxBodyBytes" }!
        #expect(s.flag == "--max-body-bytes")
        #expect(s.environmentName == "BATON_MAX_BODY_BYTES")
    }
}

@Suite struct CommandLineTests {
    @Test func parsesServeAndItsFlags() throws {
        #expect(try CommandLineParser.parse([]) == .serve(flags: [:], configPath: nil))
        #expect(try CommandLineParser.parse(["serve", "--host", "0.0.0.0", "--port=9", "--db", ":memory:", "--config", "x.json"])
            == .serve(flags: ["host": "0.0.0.0", "port": "9", "db": ":memory:"], configPath: "x.json"))
        #expect(try CommandLineParser.parse(["--port", "1"]) == .serve(flags: ["port": "1"], configPath: nil))
        #expect(try CommandLineParser.parse(["--help"]) == .help)
        #expect(try CommandLineParser.parse(["--version"]) == .version)
    }

    @Test func parsesSnapshotExportAndImport() throws {
        #expect(try CommandLineParser.parse(["snapshot", "out.db"]) == .snapshot(db: "./baton.db", out: "out.db"))
        #expect(try CommandLineParser.parse(["snapshot", "--db", "a.db", "b.db"]) == .snapshot(db: "a.db", out: "b.db"))
        #expect(try CommandLineParser.parse(["export", "--to", "http://c:8080"])
            == .copyDefinitions(.init(verb: "export", from: "http://127.0.0.1:8080", to: "http://c:8080", dryRun: false)))
        #expect(try CommandLineParser.parse(["import", "--from=https://c/api", "--dry-run"])
            == .copyDefinitions(.init(verb: "import", from: "https://c/api", to: "http://127.0.0.1:8080", dryRun: true)))
        for bad in [["snapshot"], ["snapshot", "--bogus", "1", "x"], ["export"], ["export", "--to", "ftp://x"], ["import", "--to", "http://x"],
                    ["export", "--to", "http://x", "extra"]] {
            #expect(throws: UsageError.self) { try CommandLineParser.parse(bad) }
        }
        #expect(DefinitionCopy.apiBase("http://h:1/") == "http://h:1/api")
        #expect(DefinitionCopy.apiBase("http://h:1/api") == "http://h:1/api")
    }

    @Test func comparesDefinitionsWithoutTheirStamps() throws {
        let a = try JSONParser.parse(#"{"name":"x","updateTime":1,"createTime":2,"inputKeys":["b","a"],"nested":{"createTime":5,"z":1,"a":2}}"#)
        let b = try JSONParser.parse(#"{"nested":{"a":2,"z":1,"createTime":5},"inputKeys":["b","a"],"name":"x","updatedBy":"me"}"#)
        #expect(DefinitionCopy.comparable(a) == DefinitionCopy.comparable(b))
        let c = try JSONParser.parse(#"{"name":"x","inputKeys":["a","b"],"nested":{"a":2,"z":1,"createTime":5}}"#)
        #expect(DefinitionCopy.comparable(a) != DefinitionCopy.comparable(c))
    }

    @Test func refusesUnknownCommandsAndOptions() {
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["launch"]) }
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["--bogus", "1"]) }
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["--port"]) }
    }
}
