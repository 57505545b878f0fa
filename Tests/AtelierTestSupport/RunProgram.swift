import Foundation

/// Runs the built `atelier-etl` (its path comes from `make test`) and returns its exit code
/// and output; with `peakMemory`, under GNU time, which writes the peak RSS in KiB there. A
/// run past `timeout` seconds is killed (and so fails), rather than hanging the suite.
public func runETL(
    _ arguments: [String], environment: [String: String] = [:], peakMemory: String? = nil,
    in directory: String? = nil, timeout: Double = 300
) throws -> (status: Int32, stdout: String, stderr: String) {
    try runProgram(
        "ATELIER_ETL", arguments, environment: environment, peakMemory: peakMemory, in: directory, timeout: timeout)
}

/// Runs the built `atelier-serve` to its end (its usage, its version, a refusal to start), as
/// `runETL` does.
public func runServe(_ arguments: [String], timeout: Double = 60) throws -> (
    status: Int32, stdout: String, stderr: String
) {
    try runProgram("ATELIER_SERVE", arguments, timeout: timeout)
}

/// Runs the program whose path the environment `variable` holds.
func runProgram(
    _ variable: String, _ arguments: [String], environment: [String: String] = [:], peakMemory: String? = nil,
    in directory: String? = nil, timeout: Double
) throws -> (status: Int32, stdout: String, stderr: String) {
    let program = try Executables.path(variable)
    let command = (peakMemory.map { ["/usr/bin/time", "-f", "%M", "-o", $0] } ?? []) + [program] + arguments
    return try runCommand(command, environment: environment, in: directory, timeout: timeout)
}

/// Runs `command` (a path, then its arguments) to its end, or until `timeout` seconds, without
/// `DATABASE_URL`; returns its status and output.
public func runCommand(
    _ command: [String], environment: [String: String] = [:], in directory: String? = nil, timeout: Double = 60
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    var env = ProcessInfo.processInfo.environment
    env.removeValue(forKey: "DATABASE_URL")
    process.environment = env.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let watchdog = DispatchWorkItem { if process.isRunning { process.terminate() } }
    DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: watchdog)
    defer { watchdog.cancel() }
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    let stderr = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
}
