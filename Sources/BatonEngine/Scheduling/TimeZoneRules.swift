import Foundation

/// A time zone as java.time's `ZoneId` names and resolves it: region ids (`America/New_York`), `UTC`,
/// `GMT`, `Z` and fixed offsets (`+02:00`, `UTC+2`). Conductor's scheduler takes `ZoneId.of(zoneId)`,
/// so an id Java rejects is rejected here with Java's words.
public struct TimeZoneRules: Sendable, Equatable {
    public let id: String
    private let fixedOffset: Int?
    private let zone: TimeZone?

    public struct UnknownZone: Error, Equatable, Sendable {
        public var message: String
    }

    public static let utc = TimeZoneRules(id: "UTC", fixedOffset: 0, zone: nil)

    private init(id: String, fixedOffset: Int?, zone: TimeZone?) {
        self.id = id
        self.fixedOffset = fixedOffset
        self.zone = zone
    }

    /// `ZoneId.of(id)`.
    public static func named(_ id: String) throws(UnknownZone) -> TimeZoneRules {
        if id == "Z" { return TimeZoneRules(id: id, fixedOffset: 0, zone: nil) }
        if id.hasPrefix("+") || id.hasPrefix("-") {
            guard let offset = parseOffset(Substring(id)) else { throw UnknownZone(message: "Invalid ID for ZoneOffset, invalid format: \(id)") }
            return TimeZoneRules(id: id, fixedOffset: offset, zone: nil)
        }
        for prefix in ["UTC", "GMT", "UT"] where id.hasPrefix(prefix) {
            let rest = id.dropFirst(prefix.count)
            if rest.isEmpty { return TimeZoneRules(id: id, fixedOffset: 0, zone: nil) }
            if rest.first == "+" || rest.first == "-" {
                guard let offset = parseOffset(rest) else { throw UnknownZone(message: "Invalid ID for offset-based ZoneId: \(id)") }
                return TimeZoneRules(id: id, fixedOffset: offset, zone: nil)
            }
        }
        // A region id: `[A-Za-z][A-Za-z0-9~/._+-]+`, known to the tz database.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789~/._+-")
        guard id.count >= 2, let first = id.first, first.isASCII, first.isLetter, id.allSatisfy({ allowed.contains($0) }) else {
            throw UnknownZone(message: "Invalid ID for region-based ZoneId, invalid format: \(id)")
        }
        // Foundation also takes abbreviations ("PST"), which are not ids to Java: only names of the
        // tz database count (its list in Foundation is incomplete, so the zone files are asked too).
        let known = id.contains("/") || TimeZone.knownTimeZoneIdentifiers.contains(id) || FileManager.default.fileExists(atPath: "/usr/share/zoneinfo/\(id)")
        guard known, let zone = TimeZone(identifier: id) else {
            throw UnknownZone(message: "Unknown time-zone ID: \(id)")
        }
        return TimeZoneRules(id: id, fixedOffset: nil, zone: zone)
    }

    /// `+h`, `+hh`, `+hh:mm`, `+hhmm`, `+hh:mm:ss`, `+hhmmss` (at most ±18:00) in seconds.
    private static func parseOffset(_ s: Substring) -> Int? {
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        let body = s.dropFirst()
        let digits = body.filter { $0 != ":" }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        let parts: [Int]
        switch (body.count, body.contains(":")) {
        case (1, false), (2, false): parts = [Int(body)!]
        case (4, false): parts = [Int(body.prefix(2))!, Int(body.suffix(2))!]
        case (6, false): parts = [Int(body.prefix(2))!, Int(body.dropFirst(2).prefix(2))!, Int(body.suffix(2))!]
        case (5, true), (8, true): parts = body.split(separator: ":").map { Int($0) ?? -1 }
        default: return nil
        }
        guard parts.allSatisfy({ $0 >= 0 }), parts[0] <= 18, parts.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
        let seconds = parts[0] * 3600 + (parts.count > 1 ? parts[1] * 60 : 0) + (parts.count > 2 ? parts[2] : 0)
        guard seconds <= 18 * 3600 else { return nil }
        return sign == "-" ? -seconds : seconds
    }

    /// Offset from UTC in seconds at an instant.
    func offset(atEpochSecond s: Int64) -> Int {
        if let fixedOffset { return fixedOffset }
        return zone!.secondsFromGMT(for: Date(timeIntervalSince1970: Double(s)))
    }

    /// The offsets a local date-time (seconds since the local epoch) may have, earlier one first: one
    /// normally, two in an overlap (clocks went back), none in a gap (clocks went forward), with the
    /// offsets before and after the transition.
    func validOffsets(local: Int64) -> (valid: [Int], before: Int, after: Int) {
        if let fixedOffset { return ([fixedOffset], fixedOffset, fixedOffset) }
        // No zone is more than 18 h off UTC, and no two transitions are that close together.
        let before = offset(atEpochSecond: local - 18 * 3600)
        let after = offset(atEpochSecond: local + 18 * 3600)
        var valid: [Int] = []
        for candidate in before == after ? [before] : [before, after] where offset(atEpochSecond: local - Int64(candidate)) == candidate {
            valid.append(candidate)
        }
        if valid.isEmpty, before == after {
            // A transition and its return within the window (rare): ask at the local time itself.
            let here = offset(atEpochSecond: local)
            if offset(atEpochSecond: local - Int64(here)) == here { valid = [here] }
        }
        return (valid, before, after)
    }
}
