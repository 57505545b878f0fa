/// The independent random streams of a table.
enum RandomStream {
    static func values(_ table: Int) -> UInt64 { UInt64(table) << 4 | 1 }
    static func children(_ table: Int) -> UInt64 { UInt64(table) << 4 | 2 }
    static func defect(_ table: Int) -> UInt64 { UInt64(table) << 4 | 3 }
}
