/// A set of ids from 0 to 2,147,483,647 at one bit each, allocated in 8 KiB pages only where
/// ids occur, so a stray huge id costs one page, not 256 MB.
public struct IdSet: Sendable {
    private static let pageBits = 16
    private static let wordsPerPage = (1 << pageBits) / 64
    private var pages: [[UInt64]?] = Array(repeating: nil, count: (Int(Int32.max) >> pageBits) + 1)
    public private(set) var count = 0

    public init() {}

    @inline(__always)
    public func contains(_ id: Int32) -> Bool {
        guard id >= 0, let page = pages[Int(id) >> Self.pageBits] else { return false }
        let bit = Int(id) & ((1 << Self.pageBits) - 1)
        return page[bit >> 6] & (1 << UInt64(bit & 63)) != 0
    }

    /// Adds `id`; false when it was already present.
    @inline(__always)
    @discardableResult
    public mutating func insert(_ id: Int32) -> Bool {
        precondition(id >= 0)
        let pageIndex = Int(id) >> Self.pageBits
        if pages[pageIndex] == nil { pages[pageIndex] = Array(repeating: 0, count: Self.wordsPerPage) }
        let bit = Int(id) & ((1 << Self.pageBits) - 1)
        let mask: UInt64 = 1 << UInt64(bit & 63)
        if pages[pageIndex]![bit >> 6] & mask != 0 { return false }
        pages[pageIndex]![bit >> 6] |= mask
        count += 1
        return true
    }
}
