import BatonEngine
import BatonHTTP
import BatonSupport

/// What the fuzzer drives: each target takes arbitrary bytes and must neither crash nor hang; where a
/// property holds for every input (a JSON value survives writing and parsing again), it is checked.
/// A failed check traps, which the fuzzer reports as a crash with the input that caused it.
enum FuzzTargets {
    static let all: [String: @Sendable ([UInt8]) -> Void] = [
        "http": http, "json": json, "jsonpath": jsonPath, "expression": expression, "search": search, "cron": cron,
    ]

    /// The HTTP/1.1 parser, fed in two pieces split at the first byte's value, as a socket may deliver
    /// them: every request it yields, until it asks for more or refuses.
    static func http(_ data: [UInt8]) {
        var parser = HTTPRequestParser(maxHeadBytes: 4096, maxBodyBytes: 65536)
        let split = data.isEmpty ? 0 : Int(data[0]) % (data.count + 1)
        for piece in [Array(data[..<split]), Array(data[split...])] {
            parser.append(piece)
            while true {
                guard case .request? = try? parser.next() else { break }
            }
        }
    }

    /// JSON: what parses, written and parsed again, is the same value.
    static func json(_ data: [UInt8]) {
        guard let value = try? JSONParser.parse(data) else { return }
        let written = JSONWriter.bytes(value)
        guard let again = try? JSONParser.parse(written) else { fatalError("written JSON does not parse: \(String(decoding: written, as: UTF8.self))") }
        precondition(again == value, "JSON changed on a round trip: \(String(decoding: written, as: UTF8.self))")
    }

    /// JSONPath: the whole input as a path, evaluated over a fixed document.
    static func jsonPath(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let path = try? JSONPath(text) else { return }
        _ = path.evaluate(document)
    }

    /// `${…}` input expressions resolved against the same document.
    static func expression(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let resolver = ParameterResolver { name in document[name] }
        let parameters: JSONValue = ["p": .string(text), "nested": ["q": .string(text)], "list": [.string(text)]]
        _ = resolver.resolve(parameters)
    }

    /// Workflow search's query grammar (`status IN (…) AND startTime>…`), sort and free text.
    static func search(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        let parts = text.split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        _ = try? SearchQuery(query: parts[0], freeText: parts.count > 1 ? parts[1] : nil, sort: parts.count > 2 ? parts[2] : nil,
                             start: 0, size: 10)
        _ = try? ScheduleExecutionQuery(query: parts[0], sort: parts.count > 2 ? parts[2] : nil, start: 0, size: 10)
    }

    /// Cron expressions: what parses yields fire times that only move forward, in UTC and in a zone
    /// with daylight saving.
    static func cron(_ data: [UInt8]) {
        let text = String(decoding: data, as: UTF8.self)
        guard let cron = try? CronExpression.parse(text) else { return }
        for zone in zones {
            var t: Int64 = 1_900_000_000_000
            for _ in 0..<3 {
                guard let next = cron.next(after: t, in: zone) else { break }
                precondition(next > t, "cron \(text) went back: \(next) after \(t) in \(zone.id)")
                t = next
            }
        }
    }

    static let document: JSONValue = [
        "workflow": ["input": ["a": 1, "list": [1, 2, ["b": "c"]], "text": "x"], "variables": [:]],
        "task1": ["output": ["result": ["deep": [true, nil, 2.5]]]],
    ]
    static let zones: [TimeZoneRules] = [.utc] + ((try? TimeZoneRules.named("America/New_York")).map { [$0] } ?? [])
}
