import ArgumentParser
import Foundation

/// How both programs start: parse the arguments, run, and end with the documented exit
/// codes (usage errors are 1, not ArgumentParser's 64), messages on standard error.
public enum CommandLineMain {
    /// Parses the arguments for `command` and its subcommands, or exits: 0 after `--help`,
    /// 1 for a usage error.
    public static func parse<Command: ParsableCommand>(_ command: Command.Type) -> any ParsableCommand {
        do {
            return try command.parseAsRoot()
        } catch {
            exit(with: error, for: command)
        }
    }

    /// Parses the arguments of a command without subcommands, or exits. ArgumentParser answers
    /// `--help` on such a command with a help command of its own; it runs here, and exits 0.
    public static func parseCommand<Command: ParsableCommand>(_ command: Command.Type) -> Command {
        var parsed = parse(command)
        if let parsed = parsed as? Command { return parsed }
        do {
            try parsed.run()
        } catch {
            exit(with: error, for: command)
        }
        Foundation.exit(ExitStatus.success)
    }

    /// Ends the process for `error` thrown by `command`: its message, and its exit code.
    public static func exit<Command: ParsableCommand>(with error: any Error, for command: Command.Type) -> Never {
        let code = command.exitCode(for: error)
        let message = command.fullMessage(for: error)
        if !message.isEmpty {
            let stream = code == .success ? FileHandle.standardOutput : FileHandle.standardError
            stream.write(Data((message + "\n").utf8))
        }
        Foundation.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
    }

    /// Writes `message` on standard error.
    public static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
