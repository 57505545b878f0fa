import Foundation

#if ATELIER_LIBFUZZER
    import CLibFuzzer

    /// libFuzzer's callback: one input through the target.
    @_cdecl("LLVMFuzzerTestOneInput")
    public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        CSVFuzzTarget.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    /// Under `make fuzz-csv` (`-sanitize=fuzzer`): SwiftPM gives every executable a main, which
    /// hands over to libFuzzer's driver.
    @main
    enum FuzzCSV {
        static func main() {
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzOneInput(data, size) })
        }
    }
#else
    /// Without libFuzzer: replays the inputs named on the command line (a crash file, a corpus)
    /// through the same target, so a crash found by `make fuzz-csv` reproduces in a plain build.
    @main
    enum FuzzCSV {
        static func main() throws {
            for path in CommandLine.arguments.dropFirst() {
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                data.withUnsafeBytes { CSVFuzzTarget.run($0) }
                print("ok \(path)")
            }
        }
    }
#endif
