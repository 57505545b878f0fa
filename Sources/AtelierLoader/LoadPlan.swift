import AtelierCatalog
import Foundation

/// The files a `load` command names: each directory becomes the export files it holds, and
/// everything is put in load order (parents first), so children are checked against the
/// parents loaded just before them.
public enum LoadPlan {
    /// The size in bytes of each file (0 for one that cannot be read: the run refuses it).
    static func sizes(of files: [String]) -> [Int] {
        files.map { (try? FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int) ?? 0 }
    }

    public static func files(for paths: [String]) throws(LoadError) -> (files: [String], skipped: [String]) {
        var files: [String] = []
        var skipped: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw .refused("\(path): no such file or directory")
            }
            guard isDirectory.boolValue else {
                files.append(path)
                continue
            }
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: path).sorted()
            } catch {
                throw .refused("\(path): cannot list the directory: \(error.localizedDescription)")
            }
            for entry in entries where entry.lowercased().hasSuffix(".csv") {
                let full = (path as NSString).appendingPathComponent(entry)
                if Catalog.table(forFile: entry) != nil { files.append(full) } else { skipped.append(full) }
            }
        }
        let ordered = files.enumerated().sorted { lhs, rhs in
            let (left, right) = (order(lhs.element), order(rhs.element))
            return left != right ? left < right : lhs.offset < rhs.offset
        }
        return (ordered.map(\.element), skipped)
    }

    private static func order(_ path: String) -> Int {
        let name = (path as NSString).lastPathComponent
        return Catalog.table(forFile: name).map { Catalog.loadOrder(of: $0.name) } ?? -1
    }
}
