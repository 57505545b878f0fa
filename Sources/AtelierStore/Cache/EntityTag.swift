import Foundation
import NIOCore

/// Strong entity tags for GET answers: a 64-bit FNV-1a hash of the bytes, so the same answer
/// carries the same tag on every server behind a load balancer. Computed once per answer built
/// (a cached answer keeps its tag).
package enum EntityTag {
    package static func of(_ body: ByteBuffer) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body.readableBytesView {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return "\"" + String(repeating: "0", count: 16 - hex.count) + hex + "\""
    }

    /// Whether an `If-None-Match` value (`*` or a list of tags) names `tag`. RFC 9110 compares
    /// weakly here: `W/"x"` matches `"x"`.
    package static func matches(_ header: String, _ tag: String) -> Bool {
        header.split(separator: ",").contains { candidate in
            var candidate = candidate.trimmingCharacters(in: .whitespaces)
            if candidate == "*" { return true }
            if candidate.hasPrefix("W/") { candidate.removeFirst(2) }
            return candidate == tag
        }
    }
}
