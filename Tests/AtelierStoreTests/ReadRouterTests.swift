@testable import AtelierStore
import AtelierCatalog
import Testing

/// The router's rules, one by one (the real standby is in `ReplicaRoutingTests`).
@Suite struct ReadRouterTests {
    typealias Reviews = ReviewQueries.List
    typealias Products = ProductQueries.List

    /// A router listening, with the replica caught up with a first marker.
    static func caughtUp() -> ReadRouter {
        let router = ReadRouter(hasReplica: true)
        router.setListening(true)
        router.markerRead(router.issueMarker() ?? 0, at: LSN(100))
        router.replicaReplayed(LSN(100))
        return router
    }

    @Test func aPositionReadsBackAsPostgreSQLWritesIt() {
        #expect(LSN("16/B374D848")?.value == 0x16_B374_D848)
        #expect(LSN("16/B374D848")?.description == "16/B374D848")
        #expect(LSN(marker: "lsn:0/3000060") == LSN(0x300_0060))
        for bad in ["", "16", "16/", "/1", "x/1", "1/2/3", "123456789/1"] { #expect(LSN(bad) == nil, "\(bad)") }
        #expect(LSN(marker: "reviews") == nil)
    }

    @Test func untilTheListenerListensAndTheReplicaAnswersReadsGoToThePrimary() throws {
        let router = ReadRouter(hasReplica: true)
        #expect(router.route(Reviews.self, id: 1, written: nil) == .primary)
        router.setListening(true)
        #expect(router.route(Reviews.self, id: 1, written: nil) == .primary)
        router.replicaReplayed(LSN(50))
        // The replica answers, but no marker since listening began has been replayed.
        #expect(router.route(Reviews.self, id: 1, written: nil) == .primary)
        router.markerRead(try #require(router.issueMarker()), at: LSN(100))
        #expect(router.route(Reviews.self, id: 1, written: nil) == .primary)
        router.replicaReplayed(LSN(100))
        #expect(router.route(Reviews.self, id: 1, written: nil) == .replica)
        router.replicaFailed()
        #expect(router.route(Reviews.self, id: 1, written: nil) == .primary)
    }

    @Test func aChangedRowIsReadFromThePrimaryUntilTheNextMarkerIsReplayed() throws {
        let router = Self.caughtUp()
        router.changed(TableChange(table: .reviews, products: [2], questions: []))
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
        #expect(router.route(Reviews.self, id: 3, written: nil) == .replica)
        // A list of products does not read reviews.
        #expect(router.route(Products.self, id: 0, written: nil) == .replica)
        router.replicaReplayed(LSN(200))
        // The marker read before the change does not cover it.
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
        router.markerRead(try #require(router.issueMarker()), at: LSN(300))
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
        #expect(router.lag.bytes == 100)
        router.replicaReplayed(LSN(300))
        #expect(router.route(Reviews.self, id: 2, written: nil) == .replica)
        #expect(router.lag.bytes == 0)
    }

    /// The lag in time is how long the oldest marker the replica has not replayed has waited.
    @Test func theLagInTimeIsTheAgeOfTheOldestUnreplayedMarker() throws {
        let manual = ManualClock()
        let router = ReadRouter(hasReplica: true, clock: AnyClock(manual))
        router.setListening(true)
        router.replicaReplayed(LSN(100))
        router.markerRead(try #require(router.issueMarker()), at: LSN(200))
        manual.advance(by: .milliseconds(1_500))
        router.changed(TableChange(table: .reviews, products: [2], questions: []))
        router.markerRead(try #require(router.issueMarker()), at: LSN(300))
        manual.advance(by: .seconds(2))
        #expect(router.lag.seconds == 3.5)
        router.replicaReplayed(LSN(200))
        #expect(router.lag.seconds == 2)
        #expect(router.lag.bytes == 100)
        router.replicaReplayed(LSN(300))
        #expect(router.lag.seconds == 0)
    }

    @Test func aBulkChangeSendsEveryReadOfTheTableToThePrimary() {
        let router = Self.caughtUp()
        router.changed(.whole(.features))
        #expect(router.route(ProductQueries.Detail.self, id: 9, written: nil) == .primary)
        #expect(router.route(Reviews.self, id: 9, written: nil) == .replica)
        #expect(router.route(Products.self, id: 0, written: nil) == .replica)
        router.changed(.whole(.product))
        #expect(router.route(Products.self, id: 0, written: nil) == .primary)
    }

    @Test func aMarkerIsReadOnlyWhenAChangeOrAClientWantsOne() {
        let router = Self.caughtUp()
        #expect(router.issueMarker() == nil)
        router.changed(TableChange(table: .reviews, products: [2], questions: []))
        #expect(router.issueMarker() != nil)
        #expect(router.issueMarker() == nil)
        _ = router.route(Reviews.self, id: 2, written: LSN(500))
        #expect(router.issueMarker() != nil)
    }

    @Test func aClientsOwnWriteRulesOutTheCacheAndReplicaUntilItIsHeard() {
        let router = Self.caughtUp()
        #expect(router.route(Reviews.self, id: 2, written: LSN(500)) == .primaryUncached)
        router.heard(LSN(400))
        #expect(router.route(Reviews.self, id: 2, written: LSN(500)) == .primaryUncached)
        router.heard(LSN(500))
        #expect(router.route(Reviews.self, id: 2, written: LSN(500)) == .replica)
    }

    @Test func aListenerThatStoppedNeedsAFreshMarkerReplayed() throws {
        let router = Self.caughtUp()
        router.setListening(false)
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
        router.setListening(true)
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
        router.markerRead(try #require(router.issueMarker()), at: LSN(150))
        router.replicaReplayed(LSN(150))
        #expect(router.route(Reviews.self, id: 2, written: nil) == .replica)
    }

    /// Without a replica, markers still serve clients' own writes, but none is kept waiting for
    /// a replay that never comes, and the lag reported is zero.
    @Test func withoutAReplicaNoMarkerIsKeptAndNoLagReported() throws {
        let router = ReadRouter(hasReplica: false)
        router.setListening(true)
        for position in 1...1_000 {
            router.changed(TableChange(table: .reviews, products: [Int32(position)], questions: []))
            router.markerRead(try #require(router.issueMarker()), at: LSN(UInt64(position) * 100))
        }
        #expect(router.lag.bytes == 0)
        #expect(router.lag.seconds == 0)
        #expect(router.route(Reviews.self, id: 2, written: nil) == .primary)
    }
}
