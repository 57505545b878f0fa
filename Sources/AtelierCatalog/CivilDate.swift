/// Calendar arithmetic for dates in the proleptic Gregorian calendar, UTC.
enum CivilDate {
    /// 9999-12-31T23:59:59.999Z in epoch milliseconds.
    static let maximumMillis: Int64 = 253_402_300_799_999

    /// Days from 1970-01-01 to the given date (Howard Hinnant's days_from_civil).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Parses `YYYY-MM-DD` optionally followed by `T` or a space, `HH:MM[:SS[.f…]]` and a
    /// zone (`Z`, `±HH`, `±HHMM`, `±HH:MM`); no zone means UTC. Microseconds since the epoch.
    static func parseISO8601(_ text: UnsafeRawBufferPointer) -> Int64? {
        var cursor = Cursor(text)
        guard let year = cursor.digits(4), cursor.skip(0x2D), let month = cursor.digits(2), cursor.skip(0x2D),
            let day = cursor.digits(2),
            year >= 1, (1...12).contains(month), day >= 1, day <= daysInMonth(year: year, month: month)
        else { return nil }
        var micros = daysFromCivil(year: year, month: month, day: day) * 86_400_000_000
        guard !cursor.atEnd else { return micros }
        guard cursor.skip(0x54) || cursor.skip(0x74) || cursor.skip(0x20),
            let hour = cursor.digits(2), cursor.skip(0x3A), let minute = cursor.digits(2),
            hour < 24, minute < 60
        else { return nil }
        var second: Int64 = 0, fraction: Int64 = 0
        if cursor.skip(0x3A) {
            guard let value = cursor.digits(2), value < 60 else { return nil }
            second = value
            if cursor.skip(0x2E) || cursor.skip(0x2C) {
                var scale: Int64 = 100_000, any = false
                while let digit = cursor.digits(1) {
                    fraction += digit * scale
                    scale /= 10
                    any = true
                }
                guard any else { return nil }
            }
        }
        micros += ((hour * 60 + minute) * 60 + second) * 1_000_000 + fraction
        if cursor.atEnd || cursor.skip(0x5A) || cursor.skip(0x7A) { return cursor.atEnd ? micros : nil }
        let sign: Int64
        if cursor.skip(0x2B) { sign = 1 } else if cursor.skip(0x2D) { sign = -1 } else { return nil }
        guard let zoneHours = cursor.digits(2), zoneHours < 24 else { return nil }
        var zoneMinutes: Int64 = 0
        if !cursor.atEnd {
            _ = cursor.skip(0x3A)
            guard let value = cursor.digits(2), value < 60 else { return nil }
            zoneMinutes = value
        }
        guard cursor.atEnd else { return nil }
        return micros - sign * (zoneHours * 60 + zoneMinutes) * 60_000_000
    }

    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        var atEnd: Bool { index == bytes.count }

        mutating func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func digits(_ count: Int) -> Int64? {
            guard index + count <= bytes.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<count {
                let byte = bytes[index + offset]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += count
            return value
        }
    }
}
