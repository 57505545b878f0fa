import Foundation

/// How the programs write the JSON documents they leave for scripts (the load report, verify's
/// checks, `generated.json`): Codable values with explicit keys, keys sorted so that the same
/// values always give the same bytes, slashes left as they are.
public enum JSONDocument {
    public static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Plain Codable structs of strings and numbers: encoding cannot fail.
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// Counts by reason with every reason of the contract present (0 when none).
    public static func counts(_ counts: [RejectReason: Int]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: RejectReason.allCases.map { ($0.rawValue, counts[$0, default: 0]) })
    }
}
