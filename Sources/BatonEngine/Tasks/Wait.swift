import BatonSupport
import Foundation

/// WAIT: with `duration` (`30s`, `5 minutes`, `1d 2h`) or `until` (`yyyy-MM-dd HH:mm[ zone]`,
/// `yyyy-MM-dd`) it completes when that time comes; with neither it waits for an outside update.
/// `until` without a zone is UTC (OSS reads it in the server's zone, which a test cannot rely on).
struct Wait: TaskBehavior {
    /// OSS `WorkflowTaskTypeConstraint.isWaitTaskValid`: not both; a literal `duration` must parse (its
    /// odd message is OSS's: `parseDuration` throws IllegalArgumentException); a literal `until` must
    /// parse as a date ("Unable to parse date "). OSS parses `until` leniently (commons-lang
    /// `DateUtils.parseDate`, which rolls month 13 into the next year), so registration refuses only
    /// what no lenient reading can take — text that does not begin `digits-digits-digits` followed by
    /// the end or a space; what passes here and Baton's parser still refuses fails when the task runs.
    func validate(_ node: WorkflowTask, _ context: NodeValidation) -> [String] {
        let duration = Self.literal(node.inputParameters["duration"])
        let until = Self.literal(node.inputParameters["until"])
        if !duration.isEmpty && !until.isEmpty {
            return ["Both 'duration' and 'until' specified. Please provide only one input"]
        }
        if !duration.isEmpty && !duration.hasPrefix("${") && WaitTimes.seconds(duration) == nil {
            return ["Either date or duration is passed as null "]
        }
        if duration.isEmpty && !until.isEmpty && !until.hasPrefix("${") && !WaitTimes.mayBeDate(until) {
            return ["Unable to parse date "]
        }
        return []
    }

    /// The parameter as OSS's `toString()` sees it (a number is its digits), trimmed; "" when absent or null.
    private static func literal(_ value: JSONValue?) -> String {
        (value?.scalarText ?? "").trimmingCharacters(in: .whitespaces)
    }

    func map(_ node: WorkflowTask, _ request: MapRequest, _ ctx: DecideContext) -> Mapping {
        Mapping(tasks: [Attempts.system(node, type: .wait, status: .inProgress, request, ctx)])
    }

    func execute(_ i: Int, _ wf: inout WorkflowModel, _ ctx: DecideContext) -> Execution {
        var t = wf.tasks[i]
        let duration = t.inputData["duration"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        let until = t.inputData["until"]?.stringValue?.trimmingCharacters(in: .whitespaces) ?? ""
        if t.waitTimeout == 0 {
            if !duration.isEmpty && !until.isEmpty {
                t.status = .failedWithTerminalError
                t.reasonForIncompletion = "Both 'duration' and 'until' specified. Please provide only one input"
            } else if !duration.isEmpty {
                if let seconds = WaitTimes.seconds(duration) {
                    t.waitTimeout = max(t.startTime, t.scheduledTime, 1) + seconds * 1000
                } else {
                    t.status = .failedWithTerminalError
                    t.reasonForIncompletion = "Not valid duration: \(duration)"
                }
            } else if !until.isEmpty {
                if let at = WaitTimes.epochMillis(until) {
                    t.waitTimeout = max(at, 1)
                } else {
                    t.status = .failedWithTerminalError
                    t.reasonForIncompletion = "Invalid/Unsupported Wait Until format.  Provided: \(until)"
                }
            }
        }
        if !t.status.isTerminal && t.waitTimeout > 0 && ctx.now >= t.waitTimeout { t.status = .completed }
        if t.status.isTerminal { t.endTime = ctx.now }
        guard t != wf.tasks[i] else { return .unchanged }
        wf.tasks[i] = t
        return .changed
    }

    func isAsyncComplete(_ task: TaskModel) -> Bool { true }

    var waitsInProgress: Bool { true }

    func dueTime(_ task: TaskModel) -> Int64? { task.waitTimeout > 0 ? task.waitTimeout : nil }

    /// Without a deadline the workflow waits on an outside update.
    func isBlocking(_ task: TaskModel) -> Bool {
        guard !task.status.isTerminal else { return false }
        let duration = task.inputData["duration"]?.stringValue ?? ""
        let until = task.inputData["until"]?.stringValue ?? ""
        return duration.isEmpty && until.isEmpty
    }
}

/// Parsing WAIT's `duration` and `until`, without a `DateFormatter` (and so without the process's zone).
enum WaitTimes {
    /// `30s`, `5 minutes`, `1d 2h` ...; nil for anything else (a bare number included).
    static func seconds(_ text: String) -> Int64? {
        let units: [(Set<String>, Int64)] = [
            (["d", "day", "days"], 86_400), (["h", "hr", "hrs", "hour", "hours"], 3_600),
            (["m", "min", "mins", "minute", "minutes"], 60), (["s", "sec", "secs", "second", "seconds"], 1),
        ]
        var total: Int64 = 0
        var rest = Substring(text.lowercased())
        var matched = false
        while true {
            rest = rest.drop { $0 == " " }
            guard !rest.isEmpty else { break }
            let digits = rest.prefix { $0.isNumber }
            guard !digits.isEmpty, let n = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count).drop { $0 == " " }
            let word = rest.prefix { $0.isLetter }
            guard let unit = units.first(where: { $0.0.contains(String(word)) }) else { return nil }
            rest = rest.dropFirst(word.count)
            total += n * unit.1
            matched = true
        }
        return matched ? total : nil
    }

    /// Whether a lenient date parser could read `text` as one of OSS's `until` patterns: it begins with
    /// `digits-digits-digits`, then ends or goes on after a space.
    static func mayBeDate(_ text: String) -> Bool {
        var rest = Substring(text)
        for field in 0..<3 {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty else { return false }
            rest = rest.dropFirst(digits.count)
            if field < 2 {
                guard rest.first == "-" else { return false }
                rest = rest.dropFirst()
            }
        }
        return rest.isEmpty || rest.first == " "
    }

    /// `yyyy-MM-dd HH:mm zone`, `yyyy-MM-dd HH:mm` or `yyyy-MM-dd`, as epoch milliseconds. The zone may be
    /// an abbreviation (`PST`), an identifier (`Europe/Paris`) or an offset (`GMT+2`, `+05:30`); without
    /// one the time is UTC.
    static func epochMillis(_ text: String) -> Int64? {
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
        guard let first = parts.first, let (y, mo, d) = date(first) else { return nil }
        var h = 0, mi = 0
        if parts.count >= 2 {
            let hm = parts[1].split(separator: ":", omittingEmptySubsequences: false)
            guard hm.count == 2, hm[0].count <= 2, hm[1].count == 2, let hh = Int(hm[0]), let mm = Int(hm[1]),
                  (0..<24).contains(hh), (0..<60).contains(mm) else { return nil }
            h = hh
            mi = mm
        }
        let local = (days(y, mo, d) * 86_400 + Int64(h) * 3_600 + Int64(mi) * 60)
        guard parts.count == 3 else { return local * 1000 }
        guard let offset = offsetSeconds(parts[2], localSeconds: local) else { return nil }
        return (local - offset) * 1000
    }

    private static func date(_ s: String) -> (Int, Int, Int)? {
        let f = s.split(separator: "-", omittingEmptySubsequences: false)
        guard f.count == 3, f[0].count == 4, f[1].count == 2, f[2].count == 2,
              let y = Int(f[0]), let m = Int(f[1]), let d = Int(f[2]), (1...12).contains(m) else { return nil }
        let monthDays = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...monthDays[m - 1]).contains(d) else { return nil }
        return (y, m, d)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func days(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The zone's offset from UTC in seconds at that local time.
    private static func offsetSeconds(_ zone: String, localSeconds: Int64) -> Int64? {
        if let fixed = fixedOffset(zone) { return fixed }
        guard let tz = TimeZone(identifier: zone) ?? TimeZone(abbreviation: zone) else { return nil }
        // The offset at the instant the local time names (one correction step covers DST changes).
        let guess = Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds))))
        return Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(localSeconds - guess))))
    }

    /// `Z`, `UTC`, `GMT`, and `[UTC|GMT]±h[h][[:]mm]`.
    private static func fixedOffset(_ zone: String) -> Int64? {
        var z = Substring(zone.uppercased())
        if z == "Z" || z == "UTC" || z == "GMT" { return 0 }
        if z.hasPrefix("UTC") || z.hasPrefix("GMT") { z = z.dropFirst(3) }
        guard let sign = z.first, sign == "+" || sign == "-" else { return nil }
        let digits = z.dropFirst().filter { $0 != ":" }
        guard (1...4).contains(digits.count), digits.allSatisfy(\.isNumber) else { return nil }
        let (hours, minutes): (Int64, Int64) = digits.count <= 2 ? (Int64(digits)!, 0)
            : (Int64(digits.dropLast(2))!, Int64(digits.suffix(2))!)
        guard hours <= 18, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3_600 + minutes * 60)
    }
}
