/// The release both programs report with `--version`; it changes with every release of the
/// repository, whichever program changed.
public enum AtelierVersion {
    public static let current = "1.1.0"
}
