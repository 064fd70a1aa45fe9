/// One field of a cron expression and how it moves a time forward to its next match, as Spring's
/// `CronField` family does (`BitsCronField`, `QuartzCronField`, `CompositeCronField`). Kept step for
/// step, because the steps decide where a fire lands across daylight-saving changes.
enum CronField: Sendable, Equatable {
    /// Allowed values as bits (bit n: value n).
    case bits(CronFieldType, UInt64)
    /// Quartz's `L`, `W` and `#` forms: an adjuster, and the field rolled forward when it overshoots.
    case quartz(CronFieldType, rollForward: CronFieldType, QuartzRule)
    /// A list mixing the two: the earliest candidate wins.
    indirect case composite([CronField])

    static let maxAttempts = 366

    func nextOrSame(_ t: ZonedTime) -> ZonedTime? {
        switch self {
        case .bits(let type, let bits): Self.bitsNextOrSame(type, bits, t)
        case .quartz(let type, let roll, let rule): Self.quartzNextOrSame(type, roll, rule, t)
        case .composite(let fields):
            fields.reduce(nil as ZonedTime?) { result, field in
                let candidate = field.nextOrSame(t)
                if result == nil { return candidate }
                if let candidate, candidate < result! { return candidate }
                return result
            }
        }
    }

    private static func nextSetBit(_ bits: UInt64, from index: Int) -> Int {
        guard index < 64 else { return -1 }
        let rest = bits & (UInt64.max << UInt64(index))
        return rest == 0 ? -1 : rest.trailingZeroBitCount
    }

    private static func bitsNextOrSame(_ type: CronFieldType, _ bits: UInt64, _ start: ZonedTime) -> ZonedTime? {
        var t = start
        var current = type.get(t)
        var next = nextSetBit(bits, from: current)
        if next == -1 {
            t = type.rollForward(t)
            next = nextSetBit(bits, from: type.get(t))
            if next == -1 {
                t = type.rollForward(t)
                next = nextSetBit(bits, from: 0)
            }
        }
        if next == current { return t }
        var count = 0
        current = type.get(t)
        while current != next {
            count += 1
            if count > maxAttempts { break }
            t = type.elapseUntil(t, next)
            current = type.get(t)
            next = nextSetBit(bits, from: current)
            if next == -1 {
                t = type.rollForward(t)
                next = nextSetBit(bits, from: type.get(t))
                if next == -1 {
                    t = type.rollForward(t)
                    next = nextSetBit(bits, from: 0)
                }
                current = type.get(t)
            }
        }
        if count >= maxAttempts { return nil }
        return type.reset(t)
    }

    private static func quartzNextOrSame(_ type: CronFieldType, _ roll: CronFieldType, _ rule: QuartzRule, _ start: ZonedTime) -> ZonedTime? {
        guard var result = rule.adjust(start) else { return nil }
        if result < start {
            // Ended up before the start: roll forward and try again.
            guard let again = rule.adjust(roll.rollForward(start)) else { return nil }
            result = type.reset(again)
        }
        return result
    }
}

/// A cron field's calendar field, with the unit above it and the fields below it (Spring's `Type`).
enum CronFieldType: Sendable, Equatable {
    case nano, second, minute, hour, dayOfMonth, month, dayOfWeek

    var field: ZonedTime.Field {
        switch self {
        case .nano: .nano
        case .second: .second
        case .minute: .minute
        case .hour: .hour
        case .dayOfMonth: .dayOfMonth
        case .month: .month
        case .dayOfWeek: .dayOfWeek
        }
    }

    /// The unit one step of this field is.
    var baseUnit: ZonedTime.Unit {
        switch self {
        case .nano: .nanos
        case .second: .seconds
        case .minute: .minutes
        case .hour: .hours
        case .dayOfMonth, .dayOfWeek: .days
        case .month: .months
        }
    }

    var higherOrder: ZonedTime.Unit {
        switch self {
        case .nano: .seconds
        case .second: .minutes
        case .minute: .hours
        case .hour: .days
        case .dayOfMonth: .months
        case .month: .years
        case .dayOfWeek: .weeks
        }
    }

    var lowerOrders: [ZonedTime.Field] {
        switch self {
        case .nano: []
        case .second: [.nano]
        case .minute: [.second, .nano]
        case .hour: [.minute, .second, .nano]
        case .dayOfMonth, .dayOfWeek: [.hour, .minute, .second, .nano]
        case .month: [.dayOfMonth, .hour, .minute, .second, .nano]
        }
    }

    /// java.time's name of the field, as its messages spell it.
    var javaName: String {
        switch self {
        case .nano: "NanoOfSecond"
        case .second: "SecondOfMinute"
        case .minute: "MinuteOfHour"
        case .hour: "HourOfDay"
        case .dayOfMonth: "DayOfMonth"
        case .month: "MonthOfYear"
        case .dayOfWeek: "DayOfWeek"
        }
    }

    var javaRange: String {
        switch self {
        case .dayOfMonth: "1 - 28/31"
        default: "\(ZonedTime.fixedRange(field).lowerBound) - \(ZonedTime.fixedRange(field).upperBound)"
        }
    }

    func get(_ t: ZonedTime) -> Int { t.get(field) }

    func elapseUntil(_ t: ZonedTime, _ goal: Int) -> ZonedTime {
        let current = get(t)
        let range = t.range(field)
        if current < goal {
            if range.contains(goal) { return t.with(field, goal) }
            // The goal is not in this period (Feb 30): on to the next.
            return t.plus(Int64(range.upperBound - current + 1), baseUnit)
        }
        return t.plus(Int64(goal + range.upperBound - current + 1 - range.lowerBound), baseUnit)
    }

    func rollForward(_ t: ZonedTime) -> ZonedTime {
        let result = t.plus(1, higherOrder)
        return result.with(field, result.range(field).lowerBound)
    }

    func reset(_ t: ZonedTime) -> ZonedTime {
        var t = t
        for lower in lowerOrders { t = t.with(lower, t.range(lower).lowerBound) }
        return t
    }
}

/// Quartz's day forms (Spring's `QuartzCronField` adjusters).
enum QuartzRule: Sendable, Equatable {
    case lastDayOfMonth                  // L
    case lastWeekdayOfMonth              // LW
    case lastDayWithOffset(Int)          // L-3 (offset < 0)
    case weekdayNearest(Int)             // 15W
    case lastInMonth(dayOfWeek: Int)     // 5L
    case dayOfWeekInMonth(ordinal: Int, dayOfWeek: Int)   // 5#2

    func adjust(_ t: ZonedTime) -> ZonedTime? {
        switch self {
        case .lastDayOfMonth:
            return Self.rollbackToMidnight(t, t.with(.dayOfMonth, t.range(.dayOfMonth).upperBound))
        case .lastWeekdayOfMonth:
            let last = t.with(.dayOfMonth, t.range(.dayOfMonth).upperBound)
            let result: ZonedTime
            switch last.get(.dayOfWeek) {
            case 6: result = last.plus(-1, .days)
            case 7: result = last.plus(-2, .days)
            default: result = last
            }
            return Self.rollbackToMidnight(t, result)
        case .lastDayWithOffset(let offset):
            return Self.rollbackToMidnight(t, t.with(.dayOfMonth, t.range(.dayOfMonth).upperBound).plus(Int64(offset), .days))
        case .weekdayNearest(let dayOfMonth):
            return Self.weekdayNearest(dayOfMonth, t)
        case .lastInMonth(let dow):
            let last = t.with(.dayOfMonth, t.range(.dayOfMonth).upperBound)
            var diff = dow - last.get(.dayOfWeek)
            diff = diff == 0 ? 0 : (diff > 0 ? diff - 7 : diff)
            return Self.rollbackToMidnight(t, last.plus(Int64(diff), .days))
        case .dayOfWeekInMonth(let ordinal, let dow):
            // The adjuster can overflow into the next month: then try again from there.
            var temporal = t
            for _ in 0..<12 {
                let first = temporal.with(.dayOfMonth, 1)
                let diff = (dow - first.get(.dayOfWeek) + 7) % 7 + (ordinal - 1) * 7
                let result = first.plus(Int64(diff), .days)
                if result.get(.month) == temporal.get(.month) { return Self.rollbackToMidnight(temporal, result) }
                temporal = result
            }
            return nil
        }
    }

    private static func rollbackToMidnight(_ current: ZonedTime, _ result: ZonedTime) -> ZonedTime {
        result.get(.dayOfMonth) == current.get(.dayOfMonth) ? current : result.atMidnight()
    }

    private static func isWeekday(_ dow: Int) -> Bool { dow != 6 && dow != 7 }

    private static func weekdayNearest(_ dayOfMonth: Int, _ start: ZonedTime) -> ZonedTime? {
        var t = start
        var current = t.get(.dayOfMonth)
        var dow = t.get(.dayOfWeek)
        if (current == dayOfMonth && isWeekday(dow))
            || (dow == 5 && current == dayOfMonth - 1)
            || (dow == 1 && current == dayOfMonth + 1)
            || (dow == 1 && dayOfMonth == 1 && current == 3) {
            return t
        }
        var count = 0
        while count < CronField.maxAttempts {
            count += 1
            if current == dayOfMonth {
                dow = t.get(.dayOfWeek)
                if dow == 6 {
                    // "1W" on a Saturday: the Monday after (the Friday before is another month).
                    t = dayOfMonth != 1 ? t.plus(-1, .days) : t.plus(2, .days)
                } else if dow == 7 {
                    t = t.plus(1, .days)
                }
                return t.atMidnight()
            }
            t = CronFieldType.dayOfMonth.elapseUntil(t, dayOfMonth)
            current = t.get(.dayOfMonth)
        }
        return nil
    }
}
