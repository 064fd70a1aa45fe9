/// A date-time in a zone with java.time's `ZonedDateTime` arithmetic, so that cron steps land where
/// Spring's do across daylight-saving changes: setting a field or adding days, weeks, months or years
/// works on the local date-time and keeps the offset when it is still valid (in a gap the time moves
/// later by the gap's length); adding hours, minutes, seconds or nanoseconds works on the instant.
struct ZonedTime: Sendable {
    var date: CivilDate
    var secondOfDay: Int
    var nano: Int
    var offset: Int
    let zone: TimeZoneRules

    enum Field { case nano, second, minute, hour, dayOfMonth, month, dayOfWeek }
    enum Unit { case nanos, seconds, minutes, hours, days, weeks, months, years }

    init(epochSecond: Int64, nano: Int, zone: TimeZoneRules) {
        self.zone = zone
        let offset = zone.offset(atEpochSecond: epochSecond)
        let local = epochSecond + Int64(offset)
        let day = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        date = CivilDate(epochDay: day)
        secondOfDay = Int(local - day * 86_400)
        self.nano = nano
        self.offset = offset
    }

    /// `ZonedDateTime.ofLocal(local, zone, preferredOffset)`.
    init(date: CivilDate, secondOfDay: Int, nano: Int, zone: TimeZoneRules, preferredOffset: Int) {
        self.zone = zone
        self.nano = nano
        let local = date.epochDay * 86_400 + Int64(secondOfDay)
        let (valid, before, after) = zone.validOffsets(local: local)
        if valid.count == 1 {
            offset = valid[0]
        } else if valid.count > 1 {
            offset = valid.contains(preferredOffset) ? preferredOffset : valid[0]
        } else {
            // In a gap: the local time moves on by the gap's length, with the later offset.
            let shifted = local + Int64(after - before)
            let day = shifted >= 0 ? shifted / 86_400 : (shifted - 86_399) / 86_400
            self.date = CivilDate(epochDay: day)
            self.secondOfDay = Int(shifted - day * 86_400)
            offset = after
            return
        }
        self.date = date
        self.secondOfDay = secondOfDay
    }

    var epochSecond: Int64 { date.epochDay * 86_400 + Int64(secondOfDay) - Int64(offset) }
    var epochMillis: Int64 { epochSecond * 1000 + Int64(nano / 1_000_000) }

    func get(_ field: Field) -> Int {
        switch field {
        case .nano: nano
        case .second: secondOfDay % 60
        case .minute: secondOfDay / 60 % 60
        case .hour: secondOfDay / 3600
        case .dayOfMonth: date.day
        case .month: date.month
        case .dayOfWeek: date.dayOfWeek
        }
    }

    /// `temporal.range(field)`.
    func range(_ field: Field) -> ClosedRange<Int> {
        switch field {
        case .dayOfMonth: 1...date.monthLength
        default: Self.fixedRange(field)
        }
    }

    static func fixedRange(_ field: Field) -> ClosedRange<Int> {
        switch field {
        case .nano: 0...999_999_999
        case .second, .minute: 0...59
        case .hour: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 1...7
        }
    }

    private func resolved(date: CivilDate, secondOfDay: Int, nano: Int) -> ZonedTime {
        ZonedTime(date: date, secondOfDay: secondOfDay, nano: nano, zone: zone, preferredOffset: offset)
    }

    /// `with(field, value)` (also what `field.adjustInto` does).
    func with(_ field: Field, _ value: Int) -> ZonedTime {
        switch field {
        case .nano: return resolved(date: date, secondOfDay: secondOfDay, nano: value)
        case .second: return resolved(date: date, secondOfDay: secondOfDay - get(.second) + value, nano: nano)
        case .minute: return resolved(date: date, secondOfDay: secondOfDay - get(.minute) * 60 + value * 60, nano: nano)
        case .hour: return resolved(date: date, secondOfDay: secondOfDay % 3600 + value * 3600, nano: nano)
        case .dayOfMonth:
            return resolved(date: CivilDate(year: date.year, month: date.month, day: value), secondOfDay: secondOfDay, nano: nano)
        case .month:
            let day = min(date.day, CivilDate.length(year: date.year, month: value))
            return resolved(date: CivilDate(year: date.year, month: value, day: day), secondOfDay: secondOfDay, nano: nano)
        case .dayOfWeek: return plus(Int64(value - date.dayOfWeek), .days)
        }
    }

    /// Midnight of the same local day (`with(NANO_OF_DAY, 0)`).
    func atMidnight() -> ZonedTime { resolved(date: date, secondOfDay: 0, nano: 0) }

    func plus(_ amount: Int64, _ unit: Unit) -> ZonedTime {
        switch unit {
        case .days: return resolved(date: date.adding(days: amount), secondOfDay: secondOfDay, nano: nano)
        case .weeks: return resolved(date: date.adding(days: amount * 7), secondOfDay: secondOfDay, nano: nano)
        case .months: return resolved(date: date.adding(months: amount), secondOfDay: secondOfDay, nano: nano)
        case .years: return resolved(date: date.adding(months: amount * 12), secondOfDay: secondOfDay, nano: nano)
        case .hours: return plusInstant(seconds: amount * 3600, nanos: 0)
        case .minutes: return plusInstant(seconds: amount * 60, nanos: 0)
        case .seconds: return plusInstant(seconds: amount, nanos: 0)
        case .nanos: return plusInstant(seconds: amount / 1_000_000_000, nanos: amount % 1_000_000_000)
        }
    }

    private func plusInstant(seconds: Int64, nanos: Int64) -> ZonedTime {
        var s = epochSecond + seconds
        var n = Int64(nano) + nanos
        if n >= 1_000_000_000 { s += 1; n -= 1_000_000_000 }
        if n < 0 { s -= 1; n += 1_000_000_000 }
        return ZonedTime(epochSecond: s, nano: Int(n), zone: zone)
    }

    /// `compareTo`: by instant, then by local date-time.
    static func < (a: ZonedTime, b: ZonedTime) -> Bool {
        (a.epochSecond, a.nano, a.date.epochDay, a.secondOfDay) < (b.epochSecond, b.nano, b.date.epochDay, b.secondOfDay)
    }

    /// `equals`: the same local date-time and offset.
    static func same(_ a: ZonedTime, _ b: ZonedTime) -> Bool {
        a.date == b.date && a.secondOfDay == b.secondOfDay && a.nano == b.nano && a.offset == b.offset
    }
}
