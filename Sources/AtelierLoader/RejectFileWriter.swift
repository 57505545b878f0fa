#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AtelierCatalog

/// Writes `<table>.rejects.csv`: `line,reason,detail,record`, the record exactly as read,
/// so a person can fix it and load it again. The file is created with the first rejected
/// record, so a file with none leaves no reject file; one left by an earlier load of the same
/// table is removed when this load starts, so what is there always belongs to the last load.
final class RejectFileWriter {
    let path: String
    private var file: UnsafeMutablePointer<FILE>?

    init(directory: String, table: String) {
        path = directory.hasSuffix("/") ? "\(directory)\(table).rejects.csv" : "\(directory)/\(table).rejects.csv"
        unlink(path)
    }

    deinit { if let file { fclose(file) } }

    /// Whether any record was rejected.
    var isEmpty: Bool { file == nil }

    func write(line: Int, rejection: Rejection, record: UnsafeRawBufferPointer) throws(LoadError) {
        let file = try open()
        fputs("\(line),\(rejection.reason.rawValue),", file)
        writeQuoted(rejection.detail.utf8, to: file)
        fputc(0x2C, file)
        writeQuoted(record, to: file)
        fputc(0x0A, file)
    }

    func close() { if let file { fflush(file) } }

    /// Deletes the file, for a load that stopped before reading all of its records.
    func remove() { unlink(path) }

    private func open() throws(LoadError) -> UnsafeMutablePointer<FILE> {
        if let file { return file }
        guard let opened = fopen(path, "w") else {
            throw .refused("cannot write the reject file \(path): \(String(cString: strerror(errno)))")
        }
        fputs("line,reason,detail,record\n", opened)
        file = opened
        return opened
    }

    /// A CSV field in quotes, inner quotes doubled.
    private func writeQuoted<Bytes: Sequence<UInt8>>(_ bytes: Bytes, to file: UnsafeMutablePointer<FILE>) {
        fputc(0x22, file)
        for byte in bytes {
            if byte == 0x22 { fputc(0x22, file) }
            fputc(Int32(byte), file)
        }
        fputc(0x22, file)
    }
}
