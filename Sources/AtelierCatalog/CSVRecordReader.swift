#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import CLibCSV

/// Streams the records of a CSV file through libcsv, one physical line at a time, so that
/// every record knows its source line and raw text, and so that a last field whose closing
/// quote is missing can be closed at the line break (the photos.csv repair). A line that is a
/// whole record of plain fields (unquoted, or quoted with no quote inside) is split here
/// instead, field by field with `memchr`, into what libcsv would give for it: the export's
/// usual line, at a fraction of libcsv's byte-at-a-time cost. Every other line goes to libcsv.
///
/// Memory is one read block plus the records handed out since past ones were last dropped (at
/// most `recordsKept` of them, or `fieldBytesKept` bytes of fields and one record more), and a
/// record is never allowed past `maxRecordBytes`: a longer one (an unclosed quote that would
/// swallow the rest of the file) is skipped up to the next line that starts like a record and
/// comes out as one too-long record, holding only its first bytes. A reader is used by one
/// thread at a time, so its state skips the runtime exclusivity checks (hot per field).
public final class CSVRecordReader {
    public let path: String
    /// Size of the file in bytes, for progress.
    public let fileSize: Int
    /// Bytes consumed so far.
    @exclusivity(unchecked) public private(set) var bytesRead = 0
    /// A checksum of every byte read so far.
    @exclusivity(unchecked) public private(set) var checksum = Checksum()
    /// Records whose missing closing quote was supplied at a line break.
    @exclusivity(unchecked) public private(set) var repairs = 0

    /// The longest record read whole; a longer one is skipped and reported as too long.
    public let maxRecordBytes: Int
    /// How much of a too-long record is kept for the reject file.
    public static let tooLongPrefixBytes = 1024

    /// The number of fields a record should have; set once the header is known. The quote
    /// repair only applies to a record that is open in this last field.
    public var expectedFieldCount: Int?

    // The current record, valid until the next call to `next()`.
    @exclusivity(unchecked) public private(set) var lineNumber = 0
    @exclusivity(unchecked) public private(set) var wasRepaired = false
    /// The current record was longer than `maxRecordBytes`: it has no fields, its raw text is
    /// its first bytes only, and `tooLongRecordBytes` tells its length.
    @exclusivity(unchecked) public private(set) var isTooLong = false
    @exclusivity(unchecked) public private(set) var tooLongRecordBytes = 0
    public var fieldCount: Int { currentFieldEnd - currentFieldStart }

    private let fd: Int32
    @exclusivity(unchecked) private var parser = csv_parser()
    private let readBlock: UnsafeMutableRawBufferPointer
    @exclusivity(unchecked) private var blockStart = 0
    @exclusivity(unchecked) private var blockEnd = 0
    @exclusivity(unchecked) private var atEOF = false
    @exclusivity(unchecked) private var finished = false
    @exclusivity(unchecked) private var physicalLine = 0
    /// The next piece read continues a line longer than the read block.
    @exclusivity(unchecked) private var continuingLine = false
    /// A split line's first part is already in `raw`.
    @exclusivity(unchecked) private var splitLineStarted = false

    // Written by libcsv's callback once per field: one thread, no runtime exclusivity checks.
    private let fieldBytes = GrowableBuffer()
    /// Where each stored field's bytes are in `fieldBytes`; a length of -1 is an unquoted empty field.
    @exclusivity(unchecked) private var fields: [(start: Int, length: Int)] = []
    /// Completed records not yet returned: (first field, end field, line, repaired, too long).
    @exclusivity(unchecked) private var completed: [(start: Int, end: Int, line: Int, repaired: Bool, tooLong: Bool)] =
        []
    @exclusivity(unchecked) private var completedCursor = 0
    @exclusivity(unchecked) private var currentFieldStart = 0
    @exclusivity(unchecked) private var currentFieldEnd = 0
    /// Where the fields of the record being parsed begin.
    @exclusivity(unchecked) private var openRecordFieldStart = 0
    @exclusivity(unchecked) private var openRecordLine = 0
    @exclusivity(unchecked) private var openRecordRepaired = false
    /// The raw lines of the record being parsed (or just returned).
    private let raw = GrowableBuffer()
    /// The raw text of the last repaired record as read, without the quote supplied: when it is
    /// handed out, `raw` may already hold the line whose start closed it.
    private let repairedRaw = GrowableBuffer()
    /// Skipping the rest of a too-long record, which began at `skipLine`.
    @exclusivity(unchecked) private var skipping = false
    @exclusivity(unchecked) private var skipLine = 0
    @exclusivity(unchecked) private var skippedBytes = 0
    /// The first bytes of the too-long record, for its reject line.
    private let tooLongPrefix = GrowableBuffer(capacity: CSVRecordReader.tooLongPrefixBytes)
    /// Set when libcsv could not take a piece (out of memory).
    @exclusivity(unchecked) private var parseError: Int32 = 0
    /// Whether plain lines are split here rather than by libcsv (`splitPlainLine`).
    private let splitsPlainLines: Bool

    /// Opens `path`, which must be a regular file: a FIFO, device or directory is refused at
    /// once rather than read (possibly forever). `splitsPlainLines: false` hands every line to
    /// libcsv: the reference the shortcut is tested against.
    public init(
        path: String, blockSize: Int = 1 << 20, maxRecordBytes: Int = 1 << 20, splitsPlainLines: Bool = true
    ) throws(CSVReadError) {
        self.path = path
        self.maxRecordBytes = maxRecordBytes
        self.splitsPlainLines = splitsPlainLines
        // Non-blocking, so that opening a FIFO with no writer returns at once.
        fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw CSVReadError(path: path, message: String(cString: strerror(errno))) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = Self.fileKind(info.st_mode)
            close(fd)
            throw CSVReadError(path: path, message: "not a regular file (\(kind)); refusing to read it")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        fileSize = Int(info.st_size)
        readBlock = .allocate(byteCount: blockSize, alignment: 8)
        csv_init(&parser, UInt8(CSV_APPEND_NULL | CSV_EMPTY_IS_NULL))
        // libcsv grows a field 128 bytes at a time by default.
        csv_set_blk_size(&parser, 64 * 1024)
    }

    private static func fileKind(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFDIR: "a directory"
        case S_IFIFO: "a FIFO"
        case S_IFCHR, S_IFBLK: "a device"
        case S_IFSOCK: "a socket"
        default: "not a plain file"
        }
    }

    /// Fails when the file's size is no longer what it was when opened: a file that changes
    /// while it loads is refused rather than loaded half old, half new.
    public func checkUnchanged() throws(CSVReadError) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw CSVReadError(path: path, message: String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size == fileSize, !atEOF || bytesRead == fileSize else {
            throw CSVReadError(
                path: path,
                message:
                    "the file changed while it was being read (\(fileSize) bytes when opened, \(max(size, bytesRead)) now)"
            )
        }
    }

    deinit {
        csv_free(&parser)
        readBlock.deallocate()
        close(fd)
    }

    /// The bytes of field `index` of the current record; nil for an unquoted empty field.
    @inline(__always)
    public func field(_ index: Int) -> UnsafeRawBufferPointer? {
        let slot = currentFieldStart + index
        let (start, length) = fields[slot]
        return length < 0 ? nil : fieldBytes.slice(start, length)
    }

    /// The current record's fields as strings (for headers and messages, not the hot path).
    public func fieldStrings() -> [String] {
        (0..<fieldCount).map { index in
            field(index).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
    }

    /// The raw text of the current record's lines, without the final line break (for a
    /// too-long record, its first bytes; for a repaired one, its text as read).
    public var rawRecord: UnsafeRawBufferPointer {
        if isTooLong { return tooLongPrefix.bytes }
        var bytes = wasRepaired ? repairedRaw.bytes : raw.bytes
        while let last = bytes.last, last == 0x0A || last == 0x0D {
            bytes = UnsafeRawBufferPointer(rebasing: bytes.dropLast())
        }
        return bytes
    }

    /// Advances to the next record; false at the end of the file.
    public func next() throws(CSVReadError) -> Bool {
        while completedCursor == completed.count {
            if finished { return false }
            // Nothing handed out is still referenced: past records are dropped, a batch at a
            // time so that the per-line cost is an index moving.
            if completed.count >= Self.recordsKept || fieldBytes.count >= Self.fieldBytesKept {
                completed.removeAll(keepingCapacity: true)
                completedCursor = 0
                if openRecordFieldStart == fields.count {
                    fieldBytes.removeAll()
                    fields.removeAll(keepingCapacity: true)
                    openRecordFieldStart = 0
                }
            }
            try feedNextLine()
        }
        let record = completed[completedCursor]
        completedCursor += 1
        currentFieldStart = record.start
        currentFieldEnd = record.end
        lineNumber = record.line
        wasRepaired = record.repaired
        isTooLong = record.tooLong
        return true
    }

    // MARK: - Feeding libcsv

    private var recordIsOpen: Bool { parser.pstate != 0 }

    private func feedNextLine() throws(CSVReadError) {
        guard let line = try nextLine() else {
            if skipping { endSkip() }
            if recordIsOpen, openFieldIsLast, raw.bytes.last == 0x0A { repairOpenRecord() }
            withCallbacks { parser, context in _ = csv_fini(parser, csvFieldCallback, csvRecordCallback, context) }
            finished = true
            try checkUnchanged()
            return
        }
        let startsLine = !continuingLine
        continuingLine = false
        try consume(line, startsLine: startsLine, continues: false)
    }

    /// Feeds one physical line, or one piece of a line longer than the read block
    /// (`continues`: more of the same line follows), enforcing the record limit.
    private func consume(_ piece: UnsafeRawBufferPointer, startsLine: Bool, continues: Bool) throws(CSVReadError) {
        if startsLine {
            physicalLine += 1
            if skipping, Self.looksLikeRecordStart(piece) { endSkip() }
            if !skipping, recordIsOpen, openFieldIsLast, Self.looksLikeRecordStart(piece) { repairOpenRecord() }
        }
        if skipping {
            skippedBytes += piece.count
            return
        }
        if !recordIsOpen && !splitLineStarted {
            raw.removeAll()
            openRecordLine = physicalLine
            openRecordRepaired = false
        }
        splitLineStarted = continues
        guard raw.count + piece.count <= maxRecordBytes else {
            beginSkip(piece)
            return
        }
        raw.append(piece)
        if splitsPlainLines, startsLine, !continues, !recordIsOpen, splitPlainLine(piece) { return }
        parse(piece)
        if parseError != 0 {
            throw CSVReadError(path: path, message: "CSV parser: \(String(cString: csv_strerror(parseError)))")
        }
    }

    /// The open record (with `piece`) is over the limit: drop what it parsed so far, keep
    /// its first bytes, and skip until a line starts like a record.
    private func beginSkip(_ piece: UnsafeRawBufferPointer) {
        withUnsafeMutablePointer(to: &parser) { _ = csv_fini($0, nil, nil, nil) }
        dropOpenFields()
        tooLongPrefix.removeAll()
        tooLongPrefix.append(UnsafeRawBufferPointer(rebasing: raw.bytes.prefix(Self.tooLongPrefixBytes)))
        tooLongPrefix.append(
            UnsafeRawBufferPointer(rebasing: piece.prefix(Self.tooLongPrefixBytes - tooLongPrefix.count)))
        skippedBytes = raw.count + piece.count
        skipLine = openRecordLine
        raw.removeAll()
        splitLineStarted = false
        skipping = true
    }

    /// Ends a skip: the skipped record comes out as one too-long record.
    private func endSkip() {
        skipping = false
        tooLongRecordBytes = skippedBytes
        completed.append((fields.count, fields.count, skipLine, false, true))
        openRecordFieldStart = fields.count
    }

    private func dropOpenFields() {
        fieldBytes.truncate(
            to: fields.count > openRecordFieldStart ? fields[openRecordFieldStart].start : fieldBytes.count)
        fields.removeSubrange(openRecordFieldStart...)
    }

    private func parse(_ bytes: UnsafeRawBufferPointer) {
        withCallbacks { parser, context in
            if csv_parse(parser, bytes.baseAddress, bytes.count, csvFieldCallback, csvRecordCallback, context)
                != bytes.count
            {
                parseError = csv_error(parser)
            }
        }
    }

    private func withCallbacks(_ body: (UnsafeMutablePointer<csv_parser>, UnsafeMutableRawPointer) -> Void) {
        let context = Unmanaged.passUnretained(self).toOpaque()
        withUnsafeMutablePointer(to: &parser) { body($0, context) }
    }

    /// The open record is inside a quoted field that is the last one of the row.
    private var openFieldIsLast: Bool {
        guard let expected = expectedFieldCount, parser.quoted != 0 else { return false }
        return fields.count - openRecordFieldStart == expected - 1
    }

    /// A line that starts with an id and a comma begins a new record of any export file.
    static func looksLikeRecordStart(_ line: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index < line.count, line[index] >= 0x30, line[index] <= 0x39 { index += 1 }
        return index > 0 && index < line.count && line[index] == 0x2C
    }

    /// Closes the open last field at the line break it swallowed, and re-reads the record.
    private func repairOpenRecord() {
        withUnsafeMutablePointer(to: &parser) { _ = csv_fini($0, nil, nil, nil) }
        dropOpenFields()
        repairedRaw.removeAll()
        repairedRaw.append(raw.bytes)
        var terminator = raw.count
        while terminator > 0, raw.bytes[terminator - 1] == 0x0A || raw.bytes[terminator - 1] == 0x0D { terminator -= 1 }
        raw.insert(byte: 0x22, at: terminator)
        openRecordRepaired = true
        repairs += 1
        parse(raw.bytes)
    }

    /// The next physical line, with its line break, from the read block.
    private func nextLine() throws(CSVReadError) -> UnsafeRawBufferPointer? {
        while true {
            let available = blockEnd - blockStart
            if available > 0, let start = readBlock.baseAddress.map({ $0 + blockStart }),
                let newline = memchr(start, 0x0A, available)
            {
                let length = start.distance(to: newline) + 1
                blockStart += length
                return UnsafeRawBufferPointer(start: start, count: length)
            }
            if atEOF {
                guard available > 0 else { return nil }
                blockStart = blockEnd
                return UnsafeRawBufferPointer(start: readBlock.baseAddress! + (blockEnd - available), count: available)
            }
            try refill()
        }
    }

    /// Moves the unread tail to the front of the block and reads more; a line longer than
    /// the block is handed on in pieces, which libcsv joins.
    private func refill() throws(CSVReadError) {
        let base = readBlock.baseAddress!
        var tail = blockEnd - blockStart
        if tail == readBlock.count {
            let startsLine = !continuingLine
            continuingLine = true
            try consume(UnsafeRawBufferPointer(start: base, count: tail), startsLine: startsLine, continues: true)
            blockStart = blockEnd
            tail = 0
        }
        if tail > 0 { memmove(base, base + blockStart, tail) }
        blockStart = 0
        blockEnd = tail
        let count = read(fd, base + tail, readBlock.count - tail)
        guard count >= 0 else { throw CSVReadError(path: path, message: String(cString: strerror(errno))) }
        if count == 0 { atEOF = true; return }
        let newBytes = UnsafeRawBufferPointer(start: base + tail, count: count)
        checksum.update(newBytes)
        blockEnd += count
        if bytesRead == 0, count >= 3, newBytes[0] == 0xEF, newBytes[1] == 0xBB, newBytes[2] == 0xBF {
            blockStart = 3  // a byte-order mark is not part of the first header name
        }
        bytesRead += count
    }

    /// Reads `line` (one whole physical line, with no record open) as one record when libcsv
    /// would read it as exactly that record with the same fields: every field either unquoted
    /// with no quote in it, or quoted with no quote inside and only blanks between its closing
    /// quote and the next comma; no carriage return but one before the final line feed; a
    /// first byte that is not blank (a blank line is no record). Fields are what libcsv makes
    /// of them: blanks around an unquoted field dropped, an unquoted empty field nil, a quoted
    /// one as written. Returns false, having added nothing, for any other line.
    private func splitPlainLine(_ line: UnsafeRawBufferPointer) -> Bool {
        guard let base = line.baseAddress, line.count >= 2, line[line.count - 1] == Self.lineFeed else { return false }
        var end = line.count - 1
        if line[end - 1] == Self.carriageReturn { end -= 1 }
        guard end > 0, !Self.isBlank(line[0]), line[0] != Self.carriageReturn,
            memchr(base, Int32(Self.carriageReturn), end) == nil
        else { return false }
        let firstField = fields.count
        let bytesBefore = fieldBytes.count
        var position = 0
        while true {
            while position < end, Self.isBlank(line[position]) { position += 1 }
            if position < end, line[position] == Self.quote {
                let open = position + 1
                guard let close = memchr(base + open, Int32(Self.quote), end - open) else {
                    return undoPlainLine(firstField, bytesBefore)
                }
                let closing = base.distance(to: UnsafeRawPointer(close))
                position = closing + 1
                while position < end, Self.isBlank(line[position]) { position += 1 }
                guard position == end || line[position] == Self.comma else {
                    return undoPlainLine(firstField, bytesBefore)
                }
                appendField(base + open, closing - open)
            } else {
                let start = position
                let stop = memchr(base + start, Int32(Self.comma), end - start).map { base.distance(to: $0) } ?? end
                // libcsv keeps a quote inside an unquoted field; such rare lines are left to it.
                guard memchr(base + start, Int32(Self.quote), stop - start) == nil else {
                    return undoPlainLine(firstField, bytesBefore)
                }
                var last = stop
                while last > start, Self.isBlank(line[last - 1]) { last -= 1 }
                appendField(last > start ? base + start : nil, last - start)
                position = stop
            }
            if position == end { break }
            position += 1
        }
        endRecord()
        return true
    }

    /// Drops the fields `splitPlainLine` added for a line it then leaves to libcsv.
    private func undoPlainLine(_ firstField: Int, _ bytesBefore: Int) -> Bool {
        fieldBytes.truncate(to: bytesBefore)
        fields.removeSubrange(firstField...)
        return false
    }

    /// How many handed-out records, or bytes of their fields, `next()` keeps before dropping them.
    static let recordsKept = 64
    static let fieldBytesKept = 64 * 1024

    /// The bytes of fields stored: the current record's and those of past ones not yet dropped.
    var storedFieldBytes: Int { fieldBytes.count }

    private static let lineFeed: UInt8 = 0x0A
    private static let carriageReturn: UInt8 = 0x0D
    private static let quote: UInt8 = 0x22
    private static let comma: UInt8 = 0x2C

    /// What libcsv trims around an unquoted field: a space or a tab.
    @inline(__always)
    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }

    fileprivate func appendField(_ bytes: UnsafeRawPointer?, _ length: Int) {
        fields.append((fieldBytes.count, bytes == nil ? -1 : length))
        fieldBytes.append(bytes, count: length)
    }

    fileprivate func endRecord() {
        completed.append((openRecordFieldStart, fields.count, openRecordLine, openRecordRepaired, false))
        openRecordFieldStart = fields.count
        openRecordLine = physicalLine
        openRecordRepaired = false
    }
}

private func csvFieldCallback(_ bytes: UnsafeMutableRawPointer?, _ length: Int, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<CSVRecordReader>.fromOpaque(context!).takeUnretainedValue().appendField(bytes, length)
}

private func csvRecordCallback(_ terminator: Int32, _ context: UnsafeMutableRawPointer?) {
    Unmanaged<CSVRecordReader>.fromOpaque(context!).takeUnretainedValue().endRecord()
}
