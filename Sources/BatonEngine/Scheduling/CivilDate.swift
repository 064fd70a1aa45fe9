/// A calendar date (proleptic Gregorian, as java.time), with the arithmetic cron needs and no
/// Foundation Calendar: fast, and the same on every platform.
struct CivilDate: Equatable, Comparable, Hashable, Sendable {
    var year: Int
    var month: Int   // 1...12
    var day: Int     // 1...31

    init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// Days since 1970-01-01 (H. Hinnant's days_from_civil).
    var epochDay: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    init(epochDay: Int64) {
        let z = epochDay + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = Int(doy - (153 * mp + 2) / 5 + 1)
        month = Int(mp < 10 ? mp + 3 : mp - 9)
        year = Int(yoe + era * 400) + (month <= 2 ? 1 : 0)
    }

    /// ISO day of week: Monday 1 ... Sunday 7 (1970-01-01 was a Thursday).
    var dayOfWeek: Int { Int(((epochDay % 7) + 7 + 3) % 7) + 1 }

    static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func length(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    var monthLength: Int { Self.length(year: year, month: month) }

    func adding(days: Int64) -> CivilDate { CivilDate(epochDay: epochDay + days) }

    /// `LocalDate.plusMonths`: the day is clamped to the new month's length (Jan 31 + 1 month = Feb 28).
    func adding(months: Int64) -> CivilDate {
        let total = Int64(year) * 12 + Int64(month - 1) + months
        let y = Int(total >= 0 ? total / 12 : (total - 11) / 12)
        let m = Int(total - Int64(y) * 12) + 1
        return CivilDate(year: y, month: m, day: min(day, Self.length(year: y, month: m)))
    }
}
