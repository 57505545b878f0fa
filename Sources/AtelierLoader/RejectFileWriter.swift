#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AtelierCatalog

/// Writes `<table>.rejects.csv`: `line,reason,detail,record`, the record exactly as read,
/// so a person can fix it and load it again.
final class RejectFileWriter {
    let path: String
    private let file: UnsafeMutablePointer<FILE>

    init(directory: String, table: String) throws(LoadError) {
        path = directory.hasSuffix("/") ? "\(directory)\(table).rejects.csv" : "\(directory)/\(table).rejects.csv"
        guard let file = fopen(path, "w") else {
            throw .refused("cannot write the reject file \(path): \(String(cString: strerror(errno)))")
        }
        self.file = file
        fputs("line,reason,detail,record\n", file)
    }

    deinit { fclose(file) }

    func write(line: Int, rejection: Rejection, record: UnsafeRawBufferPointer) {
        fputs("\(line),\(rejection.reason.rawValue),", file)
        writeQuoted(rejection.detail.utf8)
        fputc(0x2C, file)
        writeQuoted(record)
        fputc(0x0A, file)
    }

    func close() { fflush(file) }

    /// Deletes the file, for a load that stopped before reading all of its records.
    func remove() { unlink(path) }

    /// A CSV field in quotes, inner quotes doubled.
    private func writeQuoted<Bytes: Sequence<UInt8>>(_ bytes: Bytes) {
        fputc(0x22, file)
        for byte in bytes {
            if byte == 0x22 { fputc(0x22, file) }
            fputc(Int32(byte), file)
        }
        fputc(0x22, file)
    }
}
