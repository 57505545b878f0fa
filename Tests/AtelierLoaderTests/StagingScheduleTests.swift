import AtelierCatalog
@testable import AtelierLoader
import Foundation
import Testing

/// Which file each connection stages next: never before its parents in the run are read, the
/// heaviest chain first, nothing more once the run has failed.
@Suite struct StagingScheduleTests {
    /// Every file of the export, in load order, each `size` bytes unless `sizes` says otherwise.
    static func schedule(sizes: [String: Int] = [:], size: Int = 1) -> StagingSchedule {
        let tables = Catalog.tables
        return StagingSchedule(
            files: tables.map { "/export/\($0.fileName)" }, tables: tables,
            costs: tables.map { sizes[$0.name] ?? size })
    }

    @Test func aFileIsReadyOnceEveryParentInTheRunIsRead() throws {
        let schedule = Self.schedule()
        let (first, known) = try #require(schedule.claim(waiting: false))
        #expect(first.table.name == "product")
        #expect(known.isEmpty)
        // Every other file but the cart (no parent) needs the products first.
        let (cart, _) = try #require(schedule.claim(waiting: false))
        #expect(cart.table.name == "cart")
        #expect(schedule.claim(waiting: false) == nil)

        var products = IdSet()
        products.insert(7)
        schedule.read(.product, ids: products)
        var claimed: [String] = []
        while let (task, parents) = schedule.claim(waiting: false) {
            claimed.append(task.table.name)
            #expect(parents[.product]?.contains(7) ?? !task.table.parents.contains(.product), "\(task.table.name)")
        }
        // Children of styles, questions, reviews and characteristics wait for those.
        #expect(Set(claimed) == ["features", "styles", "related", "questions", "reviews", "characteristics"])
        schedule.read(.reviews, ids: IdSet())
        #expect(schedule.claim(waiting: false)?.0.table.name == "reviews_photos")
        // characteristic_reviews needs characteristics too.
        #expect(schedule.claim(waiting: false) == nil)
        schedule.read(.characteristics, ids: IdSet())
        #expect(schedule.claim(waiting: false)?.0.table.name == "characteristic_reviews")
    }

    @Test func theHeaviestChainGoesFirst() throws {
        // reviews is small, but heads characteristic_reviews, the largest file.
        let schedule = Self.schedule(sizes: ["photos": 50, "characteristic_reviews": 100], size: 1)
        _ = schedule.claim(waiting: false)
        _ = schedule.claim(waiting: false)
        schedule.read(.product, ids: IdSet())
        let order = (0..<3).compactMap { _ in schedule.claim(waiting: false)?.0.table.name }
        #expect(order.first == "reviews" || order.first == "characteristics", "\(order)")
        #expect(order.contains("styles"))
        let task = try #require(Self.schedule().tasks.first { $0.table.name == "product" })
        #expect(task.weight == 1 + 1 + 1 + 1)
    }

    /// Narrow rows cost more per byte than wide ones, so a file of many short rows comes before
    /// a file of the same size holding few long ones.
    @Test func aFileCostsItsBytesAndItsRows() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let narrow = String(repeating: "1,2,3,4\n", count: 1000)
        let wide = String(repeating: "1,\"" + String(repeating: "x", count: 95) + "\"\n", count: 80)
        try narrow.write(toFile: folder + "/narrow.csv", atomically: true, encoding: .utf8)
        try wide.write(toFile: folder + "/wide.csv", atomically: true, encoding: .utf8)
        let narrowCost = StagingSchedule.estimatedCost(path: folder + "/narrow.csv", size: narrow.utf8.count)
        let wideCost = StagingSchedule.estimatedCost(path: folder + "/wide.csv", size: wide.utf8.count)
        #expect(narrowCost == 8000 + StagingSchedule.bytesPerRow * 1000)
        #expect(wideCost == 8000 + StagingSchedule.bytesPerRow * 80)
        #expect(StagingSchedule.estimatedCost(path: folder + "/missing.csv", size: 5) == 5)
    }

    @Test func aFailureStopsEveryClaimAndWakesTheWaiting() throws {
        let schedule = Self.schedule()
        _ = schedule.claim(waiting: false)
        _ = schedule.claim(waiting: false)
        let woken = DispatchSemaphore(value: 0)
        let result = Shared<Bool?>(nil)
        Thread {
            result.value = schedule.claim() == nil
            woken.signal()
        }.start()
        schedule.fail(.refused("product.csv: refused"))
        #expect(woken.wait(timeout: .now() + 10) == .success)
        #expect(result.value == true)
        #expect(schedule.hasFailed)
        guard case .refused(let message)? = schedule.outcome().failure else {
            Issue.record("the failure is not kept")
            return
        }
        #expect(message == "product.csv: refused")
        schedule.fail(.refused("a later failure"))
        if case .refused(let kept)? = schedule.outcome().failure { #expect(kept == "product.csv: refused") }
    }
}

/// A value handed between threads in a test.
final class Shared<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
