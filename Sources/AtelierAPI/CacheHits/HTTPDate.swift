import Foundation

/// The `Date` field of an answer in RFC 9110's IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), as
/// Hummingbird writes it; formatted again only when the second has changed since the last call.
struct HTTPDate {
    private var second = time_t(-1)
    private var text = ""

    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The date of now.
    mutating func now() -> String {
        at(time(nil))
    }

    /// The date of `seconds` since 1970.
    mutating func at(_ seconds: time_t) -> String {
        guard seconds != second else { return text }
        var clock = seconds
        var parts = tm()
        gmtime_r(&clock, &parts)
        func twoDigits(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        text =
            "\(Self.days[Int(parts.tm_wday)]), \(twoDigits(parts.tm_mday)) \(Self.months[Int(parts.tm_mon)]) "
            + "\(parts.tm_year + 1900) \(twoDigits(parts.tm_hour)):\(twoDigits(parts.tm_min)):\(twoDigits(parts.tm_sec)) GMT"
        second = seconds
        return text
    }
}
