import Foundation
import Testing

/// The store's folders depend on each other one way, as docs/architecture.md draws them: a
/// file may name the top-level types of its own folder and of the folders below it, never of
/// one above or beside it. Read from the sources, comments left out.
@Suite struct LayeringTests {
    /// Each folder and the folders it may use; files at the module's root may use all.
    static let allowed: [String: Set<String>] = [
        "Time": [],
        "Statements": [],
        "Cache": ["Statements"],
        "Replica": ["Cache", "Statements", "Time"],
        "Connections": ["Statements", "Time"],
        "Listening": ["Cache", "Replica", "Connections", "Statements", "Time"],
    ]

    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/AtelierStore").standardizedFileURL

    /// The files of `folder`, each without its comments.
    static func files(in folder: String) throws -> [(name: String, code: String)] {
        let directory = sources.appendingPathComponent(folder)
        let names = try FileManager.default.subpathsOfDirectory(atPath: directory.path)
        return try names.filter { $0.hasSuffix(".swift") }.sorted().map { name in
            let text = try String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)
            let code = text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            return (name, code.joined(separator: "\n"))
        }
    }

    /// The types a folder declares at the top level of its files.
    static func topLevelTypes(in folder: String) throws -> Set<String> {
        let declaration = try Regex(#"(?m)^(?:public |package )?(?:final )?(?:struct|enum|class|protocol) ([A-Z]\w*)"#)
        return Set(
            try files(in: folder).flatMap { file in
                file.code.matches(of: declaration).map { String($0.output[1].substring!) }
            })
    }

    @Test func everyFolderIsKnown() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
            .filter { !$0.hasSuffix(".swift") }
        #expect(Set(folders) == Set(Self.allowed.keys))
    }

    @Test(arguments: allowed.keys.sorted()) func aFolderNamesNothingAboveIt(_ folder: String) throws {
        let forbidden = Set(Self.allowed.keys).subtracting(Self.allowed[folder]!).subtracting([folder])
        var types: [String: String] = [:]
        for other in forbidden { for type in try Self.topLevelTypes(in: other) { types[type] = other } }
        #expect(!types.isEmpty || forbidden.isEmpty)
        for file in try Self.files(in: folder) {
            for (type, other) in types.sorted(by: { $0.key < $1.key }) {
                let use = try Regex("\\b\(type)\\b").wordBoundaryKind(.simple)
                #expect(!file.code.contains(use), "\(folder)/\(file.name) names \(other)'s \(type)")
            }
        }
    }
}
