import AtelierCatalog
import AtelierPostgres
import AtelierSchema
import Foundation

/// Reads one export file, cleans every record and encodes the accepted rows as binary COPY
/// data, on a thread of its own, so that this client work overlaps the server's: the COPY of
/// the same file and, when the encoder starts while the previous file is still being loaded,
/// that file's keys, indexes and ANALYZE. Rejected records go to the reject file as they come.
///
/// The reader, cleaner and counts belong to the encoding thread until it has finished, which
/// `finish()` and `cancel()` wait for; hence `@unchecked Sendable`.
final class FileEncoder: @unchecked Sendable {
    /// What the encoding thread found, once it has read the whole file.
    struct Outcome {
        var rowsRead = 0
        var rowsLoaded = 0
        var rowsRepaired = 0
        var rejected: [RejectReason: Int] = [:]
        /// The ids of the accepted rows (with the table's existing ids when appending).
        var ids = IdSet()
        var checksum = ""
        /// CPU time the encoding thread used.
        var cpuSeconds = 0.0
    }

    /// Encoded data waiting to be sent, at most this many bytes: enough to cover the end of a
    /// previous file's load at small scale, bounded so memory stays flat at any scale.
    static let readAheadLimit = 32 * 1024 * 1024

    let path: String
    let table: TableSpec
    let unknownColumns: [String]
    let fileSize: Int

    private let reader: CSVRecordReader
    private var cleaner: RecordCleaner
    private let rejects: RejectFileWriter
    private let queue = ChunkQueue(limit: FileEncoder.readAheadLimit)
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private var finished = false
    private var result: Result<Outcome, LoadError>?

    /// Opens the file and reads its header; encoding starts with `start()`.
    init(path: String, table: TableSpec, options: LoadOptions, existingIds: IdSet, parentIds: [TableName: IdSet])
        throws(LoadError)
    {
        self.path = path
        self.table = table
        let mapping: HeaderMapping
        (reader, mapping) = try Self.openReader(path: path, table: table, maxRecordBytes: options.maxRecordBytes)
        unknownColumns = mapping.unknownColumns
        fileSize = reader.fileSize
        cleaner = RecordCleaner(table: table, mapping: mapping, existingIds: existingIds, parentIds: parentIds)
        rejects = RejectFileWriter(directory: options.rejectDirectory, table: table.name)
    }

    /// Opens `path` and reads its header: a file that cannot be read (a FIFO, a device, a
    /// directory, no header) or whose header lacks a column of `table` is refused here.
    static func openReader(path: String, table: TableSpec, maxRecordBytes: Int) throws(LoadError) -> (
        CSVRecordReader, HeaderMapping
    ) {
        let reader: CSVRecordReader
        let hasHeader: Bool
        do throws(CSVReadError) {
            reader = try CSVRecordReader(path: path, maxRecordBytes: maxRecordBytes)
            hasHeader = try reader.next()
        } catch {
            throw LoadError(error)
        }
        guard hasHeader else {
            throw LoadError(HeaderError.noHeader(file: URL(fileURLWithPath: path).lastPathComponent))
        }
        do throws(HeaderError) {
            let mapping = try HeaderMapping(header: reader.fieldStrings(), table: table)
            reader.expectedFieldCount = mapping.fieldCount
            return (reader, mapping)
        } catch {
            throw LoadError(error)
        }
    }

    /// Starts encoding on a new thread.
    func start() {
        guard !started else { return }
        started = true
        Thread { [self] in
            var outcome = Outcome()
            let encoded = encode(into: &outcome)
            outcome.cpuSeconds = StageTimes.threadCPUSeconds()
            result = encoded.map { outcome }
            rejects.close()
            queue.close()
            done.signal()
        }.start()
    }

    /// The next chunk of encoded rows, waiting for it; nil after the last one.
    func nextChunk() -> ChunkQueue.Chunk? { queue.take() }

    /// Gives a sent chunk's buffer back for reuse.
    func recycle(_ chunk: ChunkQueue.Chunk) { queue.recycle(chunk.buffer) }

    /// After the last chunk: what the file held, or why it could not be read or changed
    /// while it was (then `cancel()` still removes the partial reject file).
    func finish() throws(LoadError) -> Outcome {
        done.wait()
        done.signal()
        let outcome = try result!.get()
        do throws(CSVReadError) {
            try reader.checkUnchanged()
        } catch {
            throw LoadError(error)
        }
        finished = true
        return outcome
    }

    /// Stops encoding and removes the reject file, for a load that will not happen or stopped
    /// before all its rows were sent; does nothing once `finish()` returned.
    func cancel() {
        guard !finished else { return }
        finished = true
        queue.cancel()
        if started {
            done.wait()
            done.signal()
        }
        rejects.remove()
    }

    /// Encodes the whole file; fails only when the file cannot be read, and stops early (with
    /// an incomplete outcome nobody uses) once cancelled.
    private func encode(into outcome: inout Outcome) -> Result<Void, LoadError> {
        var buffer = queue.emptyBuffer()
        BinaryCopyEncoder.appendHeader(to: buffer)
        do throws(LoadError) {
            while try nextRecord() {
                outcome.rowsRead += 1
                if let rejection = cleaner.clean(reader) {
                    outcome.rejected[rejection.reason, default: 0] += 1
                    try rejects.write(line: reader.lineNumber, rejection: rejection, record: reader.rawRecord)
                    continue
                }
                BinaryCopyEncoder.appendRow(cleaner.values, to: buffer)
                outcome.rowsLoaded += 1
                if buffer.count >= ChunkQueue.chunkSize {
                    let chunk = ChunkQueue.Chunk(
                        buffer: buffer, rowsRead: outcome.rowsRead, bytesRead: reader.bytesRead)
                    guard queue.put(chunk) else { return .success(()) }
                    buffer = queue.emptyBuffer()
                }
            }
        } catch {
            return .failure(error)
        }
        BinaryCopyEncoder.appendTrailer(to: buffer)
        _ = queue.put(ChunkQueue.Chunk(buffer: buffer, rowsRead: outcome.rowsRead, bytesRead: reader.bytesRead))
        outcome.rowsRepaired = reader.repairs
        outcome.ids = cleaner.seenIds
        outcome.checksum = reader.checksum.hexDigest
        return .success(())
    }

    /// Reads the next record; false at the end of the file.
    private func nextRecord() throws(LoadError) -> Bool {
        do {
            return try reader.next()
        } catch {
            throw LoadError(error)
        }
    }
}
