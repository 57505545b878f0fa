/// The exit codes both programs document: the same number means the same kind of trouble.
public enum ExitStatus {
    public static let success: Int32 = 0
    /// A bad option or argument (ArgumentParser's own code for it is 64).
    public static let usage: Int32 = 1
    /// atelier-etl: a file was refused; atelier-serve: it cannot start.
    public static let refused: Int32 = 2
    public static let cannotStart: Int32 = 2
    /// The database failed or cannot be reached.
    public static let database: Int32 = 3
    /// verify found problems.
    public static let verifyFailed: Int32 = 4
}
