#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import AtelierCatalog
import CLibCSV

/// Writes `<table>.rejects.csv`: `line,reason,detail,record`, the record exactly as read
/// (quoted by libcsv's `csv_fwrite`), so a person can fix it and load it again. The file is created with the first rejected
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
        Array(rejection.detail.utf8).withUnsafeBytes { _ = csv_fwrite(file, $0.baseAddress, $0.count) }
        fputc(0x2C, file)
        _ = csv_fwrite(file, record.baseAddress, record.count)
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
}
