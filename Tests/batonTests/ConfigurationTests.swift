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

    @Test func refusesUnknownCommandsAndOptions() {
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["launch"]) }
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["--bogus", "1"]) }
        #expect(throws: UsageError.self) { try CommandLineParser.parse(["--port"]) }
    }
}
