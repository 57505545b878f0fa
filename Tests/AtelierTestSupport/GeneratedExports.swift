import Foundation
import Synchronization

/// Synthetic exports (`atelier-etl generate`) for tests that need more rows than the samples or
/// two different complete exports, written once per test process and shared.
public enum GeneratedExports {
    private static let written = Mutex<[String: String]>([:])

    /// The folder holding `atelier-etl generate --scale scale --seed seed` (no defects).
    public static func folder(scale: Double, seed: Int) throws -> String {
        let key = "\(scale)-\(seed)"
        return try written.withLock { folders in
            if let folder = folders[key] { return folder }
            let folder = try Repository.temporaryDirectory()
            let result = try runETL(["generate", "--scale", "\(scale)", "--seed", "\(seed)", "--out", folder])
            guard result.status == 0 else {
                throw TestDatabase.Missing(description: "atelier-etl generate failed: \(result.stderr)")
            }
            folders[key] = folder
            return folder
        }
    }
}
