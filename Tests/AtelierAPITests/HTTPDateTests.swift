@testable import AtelierAPI
import Foundation
import Testing

/// The `Date` field of a hit answered before the router, in the IMF-fixdate Hummingbird writes.
@Suite struct HTTPDateTests {
    @Test func datesAreIMFFixdates() {
        var date = HTTPDate()
        #expect(date.at(0) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(date.at(784_111_777) == "Sun, 06 Nov 1994 08:49:37 GMT")
        #expect(date.at(1_796_645_405) == "Mon, 07 Dec 2026 12:10:05 GMT")
        #expect(date.at(1_796_645_405) == "Mon, 07 Dec 2026 12:10:05 GMT", "the same second again, from the last call")
    }
}
