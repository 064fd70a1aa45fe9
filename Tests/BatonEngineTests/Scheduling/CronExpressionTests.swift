@testable import BatonEngine
import Testing

/// `2024-03-10T02:30:00-05:00` (or `Z`) as epoch milliseconds.
private func at(_ iso: String) -> Int64 {
    let chars = Array(iso)
    func num(_ from: Int, _ len: Int) -> Int { Int(String(chars[from..<from + len]))! }
    let date = CivilDate(year: num(0, 4), month: num(5, 2), day: num(8, 2))
    var seconds = date.epochDay * 86_400 + Int64(num(11, 2) * 3600 + num(14, 2) * 60 + num(17, 2))
    var millis: Int64 = 0
    var i = 19
    if i < chars.count, chars[i] == "." { millis = Int64(num(20, 3)); i = 23 }
    if i < chars.count, chars[i] != "Z" {
        let offset = (num(i + 1, 2) * 3600 + num(i + 4, 2) * 60) * (chars[i] == "-" ? -1 : 1)
        seconds -= Int64(offset)
    }
    return seconds * 1000 + millis
}

private func next(_ cron: String, after: String, zone: String = "UTC") throws -> Int64? {
    try CronExpression.parse(cron).next(after: at(after), in: TimeZoneRules.named(zone))
}

@Suite struct CronExpressionTests {
    /// Expected fire times follow Spring's documented `CronExpression` semantics (seconds first, day
    /// of month AND day of week, Quartz's L/W/#, the macros).
    @Test(arguments: [
        ("0 0 * * * *", "2021-01-01T00:00:00Z", "2021-01-01T01:00:00Z"),
        ("*/15 * * * * *", "2021-01-01T00:00:07.500Z", "2021-01-01T00:00:15Z"),
        ("*/15 * * * * *", "2021-01-01T00:00:15Z", "2021-01-01T00:00:30Z"),
        ("10-20/5 * * * * *", "2021-01-01T00:00:16Z", "2021-01-01T00:00:20Z"),
        ("5/20 * * * * *", "2021-01-01T00:00:46Z", "2021-01-01T00:01:05Z"),
        ("0 0 12 * * MON-FRI", "2024-06-01T13:00:00Z", "2024-06-03T12:00:00Z"),
        ("0 0 12 ? * mon-fri", "2024-06-03T12:00:00Z", "2024-06-04T12:00:00Z"),
        ("0 0 0 29 2 *", "2021-03-01T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("0 0 0 31 * *", "2024-04-01T00:00:00Z", "2024-05-31T00:00:00Z"),
        ("0 0 0 L * *", "2024-02-10T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("0 0 0 L-3 * *", "2024-02-10T00:00:00Z", "2024-02-26T00:00:00Z"),
        ("0 0 0 LW * *", "2024-08-01T00:00:00Z", "2024-08-30T00:00:00Z"),
        ("0 0 0 15W * *", "2024-06-01T00:00:00Z", "2024-06-14T00:00:00Z"),
        ("0 0 0 1W * *", "2024-05-31T00:00:00Z", "2024-06-03T00:00:00Z"),
        ("0 0 0 * * 5L", "2024-06-01T00:00:00Z", "2024-06-28T00:00:00Z"),
        ("0 0 0 ? * MON#2", "2024-06-01T00:00:00Z", "2024-06-10T00:00:00Z"),
        ("0 0 0 ? * 1#5", "2024-06-01T00:00:00Z", "2024-07-29T00:00:00Z"),
        ("0 0 0 * * 0", "2024-06-03T00:00:00Z", "2024-06-09T00:00:00Z"),
        ("0 0 0 * * 7", "2024-06-03T00:00:00Z", "2024-06-09T00:00:00Z"),
        ("0 0 0 * * SUN-TUE", "2024-06-03T00:00:00Z", "2024-06-04T00:00:00Z"),
        ("0 0 0 1 jan-mar *", "2024-04-01T00:00:00Z", "2025-01-01T00:00:00Z"),
        ("0 0 0 13 * FRI", "2024-01-01T00:00:00Z", "2024-09-13T00:00:00Z"),
        ("0 0 0,12 1,15 * *", "2024-01-01T06:00:00Z", "2024-01-01T12:00:00Z"),
        ("@hourly", "2024-01-01T06:59:59Z", "2024-01-01T07:00:00Z"),
        ("@DAILY", "2024-01-01T06:00:00Z", "2024-01-02T00:00:00Z"),
        ("@weekly", "2024-06-03T00:00:00Z", "2024-06-09T00:00:00Z"),
        ("@monthly", "2024-06-03T00:00:00Z", "2024-07-01T00:00:00Z"),
        ("@yearly", "2024-06-03T00:00:00Z", "2025-01-01T00:00:00Z"),
    ])
    func nextFireInUTC(cron: String, after: String, expected: String) throws {
        #expect(try next(cron, after: after) == at(expected))
    }

    @Test func impossibleDatesNeverFire() throws {
        #expect(try next("0 0 0 30 2 *", after: "2024-01-01T00:00:00Z") == nil)
        #expect(try next("0 0 0 31 4 *", after: "2024-01-01T00:00:00Z") == nil)
    }

    @Test func firesInTheSchedulesZone() throws {
        #expect(try next("0 0 9 * * *", after: "2024-01-01T00:00:00Z", zone: "Asia/Kolkata") == at("2024-01-01T03:30:00Z"))
        #expect(try next("0 0 9 * * *", after: "2024-07-01T00:00:00Z", zone: "Europe/Berlin") == at("2024-07-01T07:00:00Z"))
        #expect(try next("0 0 9 * * *", after: "2024-07-01T00:00:00Z", zone: "+02:00") == at("2024-07-01T07:00:00Z"))
    }

    /// A 02:30 job on the spring-forward day: Spring moves past the missing hour to the next day.
    @Test func springForwardSkipsTheMissingTime() throws {
        let ny = "America/New_York"
        #expect(try next("0 30 2 * * *", after: "2024-03-09T03:00:00-05:00", zone: ny) == at("2024-03-11T02:30:00-04:00"))
        // Hourly jobs go from 01:00 to 03:00.
        #expect(try next("0 0 * * * *", after: "2024-03-10T01:30:00-05:00", zone: ny) == at("2024-03-10T03:00:00-04:00"))
    }

    /// An ambiguous 01:30 on the fall-back day fires at both instants, as Spring does.
    @Test func fallBackFiresAtBothInstants() throws {
        let ny = "America/New_York"
        let first = try next("0 30 1 * * *", after: "2024-11-03T00:00:00-04:00", zone: ny)
        #expect(first == at("2024-11-03T01:30:00-04:00"))
        let second = try CronExpression.parse("0 30 1 * * *").next(after: first!, in: TimeZoneRules.named(ny))
        #expect(second == at("2024-11-03T01:30:00-05:00"))
        let third = try CronExpression.parse("0 30 1 * * *").next(after: second!, in: TimeZoneRules.named(ny))
        #expect(third == at("2024-11-04T01:30:00-05:00"))
    }

    @Test(arguments: [
        ("", "Expression must not be empty"),
        ("0 0 * * *", "Cron expression must consist of 6 fields (found 5 in \"0 0 * * *\")"),
        ("  ", "Cron expression must consist of 6 fields (found 0 in \"\")"),
        ("60 * * * * *", "Invalid value for SecondOfMinute (valid values 0 - 59): 60 '60' in cron expression \"60 * * * * *\""),
        ("0 0 24 * * *", "Invalid value for HourOfDay (valid values 0 - 23): 24 '24' in cron expression \"0 0 24 * * *\""),
        ("0 0 0 32 * *", "Invalid value for DayOfMonth (valid values 1 - 28/31): 32 '32' in cron expression \"0 0 0 32 * *\""),
        ("0 0 0 * 13 *", "Invalid value for MonthOfYear (valid values 1 - 12): 13 '13' in cron expression \"0 0 0 * 13 *\""),
        ("*/0 * * * * *", "Incrementer delta must be 1 or higher '*/0' in cron expression \"*/0 * * * * *\""),
        ("x * * * * *", "For input string: \"x\" 'x' in cron expression \"x * * * * *\""),
        ("? * * * * *", "For input string: \"?\" '?' in cron expression \"? * * * * *\""),
        ("5-1 * * * * *", "Minimum value must be less than maximum value '5-1' in cron expression \"5-1 * * * * *\""),
        ("0 0 0 L3 * *", "Offset '3 should be < 0 'L3' in cron expression \"0 0 0 L3 * *\""),
        ("0 0 0 3L * *", "Unrecognized characters before 'L' in '3L' in cron expression \"0 0 0 3L * *\""),
        ("0 0 0 * * L", "No day-of-week before 'L' in 'L' in cron expression \"0 0 0 * * L\""),
        ("0 0 0 * * 1#0", "Ordinal '0' in '1#0' must be positive number  in cron expression \"0 0 0 * * 1#0\""),
    ])
    func rejectsWithSpringsMessage(cron: String, message: String) {
        #expect(throws: CronExpression.ParseError(message: message)) { try CronExpression.parse(cron) }
    }

    @Test func zonesAreJavaZoneIds() throws {
        #expect(try TimeZoneRules.named("UTC").id == "UTC")
        #expect(try TimeZoneRules.named("America/New_York").id == "America/New_York")
        #expect(throws: TimeZoneRules.UnknownZone(message: "Unknown time-zone ID: Mars/Olympus")) { try TimeZoneRules.named("Mars/Olympus") }
        #expect(throws: TimeZoneRules.UnknownZone(message: "Invalid ID for region-based ZoneId, invalid format: ???")) { try TimeZoneRules.named("???") }
    }

    /// Found by the fuzzer (Tests/fuzz/corpus/cron/offset-before-month): 42 days before a month's end is in an
    /// earlier month, and from some starts the next fire time went back, so the schedule would fire again at once.
    @Test func fireTimesOnlyMoveForward() throws {
        let cron = try CronExpression.parse("0 0 0 L-42 * 02")
        for zone in [TimeZoneRules.utc, try TimeZoneRules.named("America/New_York")] {
            var t: Int64 = 1_900_000_000_000
            for _ in 0..<12 {
                guard let next = cron.next(after: t, in: zone) else { break }
                #expect(next > t)
                t = next
            }
        }
        #expect(try next("0 0 0 L-2 * *", after: "2024-01-01T00:00:00Z") == at("2024-01-29T00:00:00Z"))
    }
}
