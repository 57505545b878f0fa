// swift-tools-version:6.0
import PackageDescription

/// Upcoming language features the Swift server packages this one follows (swift-nio,
/// Hummingbird, postgres-nio) enable: existential types are spelled `any`.
let swiftSettings: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "atelier",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "atelier-etl", targets: ["atelier-etl"]),
        .executable(name: "atelier-serve", targets: ["atelier-serve"]),
        .library(name: "AtelierCatalog", targets: ["AtelierCatalog"]),
        .library(name: "AtelierPostgres", targets: ["AtelierPostgres"]),
        .library(name: "AtelierSchema", targets: ["AtelierSchema"]),
        .library(name: "AtelierLoader", targets: ["AtelierLoader"]),
        .library(name: "AtelierGenerator", targets: ["AtelierGenerator"]),
        .library(name: "AtelierStore", targets: ["AtelierStore"]),
        .library(name: "AtelierAPI", targets: ["AtelierAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        .systemLibrary(name: "CLibFuzzer"),
        .systemLibrary(name: "CMalloc"),
        // The 14 export files, their columns and the cleaning rules, down to the binary COPY
        // rows they become: pure, no database.
        .target(name: "AtelierCatalog", dependencies: ["CLibCSV"], swiftSettings: swiftSettings),
        // The libpq driver: a blocking connection, connection strings, where the database is.
        .target(name: "AtelierPostgres", dependencies: ["CLibPQ"], swiftSettings: swiftSettings),
        // The SQL schema rendered from the catalogue: tables, keys, triggers, the API's role.
        .target(name: "AtelierSchema", dependencies: ["AtelierCatalog"], swiftSettings: swiftSettings),
        // The load pipeline: CSV file → cleaner → COPY, with rejects, progress, reports, runs and verify.
        .target(
            name: "AtelierLoader",
            dependencies: ["AtelierCatalog", "AtelierPostgres", "AtelierSchema", "CLibCSV", "CLibPQ"],
            swiftSettings: swiftSettings),
        // Deterministic synthetic exports at any scale, with planted defects, for benchmarks.
        .target(name: "AtelierGenerator", dependencies: ["AtelierCatalog"], swiftSettings: swiftSettings),
        // What both programs share on the command line: exit codes, --database-url, main.
        .target(
            name: "AtelierCommandLine",
            dependencies: ["AtelierPostgres", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "atelier-etl",
            dependencies: [
                "AtelierCommandLine", "AtelierGenerator", "AtelierLoader", "AtelierPostgres", "AtelierSchema",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // The CSV reader, cleaner and COPY encoder under libFuzzer (`make fuzz-csv`); a plain
        // build replays fuzz inputs.
        .executableTarget(
            name: "atelier-fuzz-csv", dependencies: ["AtelierCatalog", "CLibFuzzer"], swiftSettings: swiftSettings),
        // The floor of the uncached path for `bench/floor.sh`: one route over PostgresClient.
        .executableTarget(
            name: "atelier-floor",
            dependencies: [
                "AtelierStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            path: "bench/floor",
            swiftSettings: swiftSettings
        ),
        // The API's data layer, no HTTP: the supervised pool, deadlines, batches, each route's
        // SQL, the response cache and its change listener, replica routing, metrics.
        .target(
            name: "AtelierStore",
            dependencies: [
                "AtelierCatalog", "AtelierPostgres", "AtelierSchema",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // The legacy HTTP API over the store: routes, request rules, middleware, error statuses.
        .target(
            name: "AtelierAPI",
            dependencies: [
                "AtelierCatalog", "AtelierPostgres", "AtelierSchema", "AtelierStore", "CMalloc",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Atomics", package: "swift-atomics"),
            ],
            resources: [.copy("openapi.json")],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "atelier-serve",
            dependencies: [
                "AtelierAPI", "AtelierCommandLine", "AtelierPostgres", "AtelierStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        // Tests that need no database (`swift test --filter` runs them without a cluster): one
        // target per module.
        .testTarget(name: "AtelierCatalogTests", dependencies: ["AtelierCatalog"]),
        .testTarget(name: "AtelierPostgresTests", dependencies: ["AtelierPostgres"]),
        .testTarget(name: "AtelierSchemaTests", dependencies: ["AtelierSchema", "AtelierCatalog"]),
        .testTarget(name: "AtelierGeneratorTests", dependencies: ["AtelierGenerator", "AtelierCatalog"]),
        // Test databases on the throwaway cluster of `make test`, the built programs, shared helpers.
        .target(
            name: "AtelierTestSupport",
            dependencies: ["AtelierCatalog", "AtelierLoader", "AtelierPostgres", "AtelierSchema"],
            path: "Tests/AtelierTestSupport"
        ),
        .testTarget(name: "AtelierLoaderTests", dependencies: ["AtelierLoader", "AtelierCatalog"]),
        .testTarget(
            name: "AtelierStoreTests",
            dependencies: [
                "AtelierStore", "AtelierCatalog", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "AtelierAPITests",
            dependencies: [
                "AtelierAPI", "AtelierStore", "AtelierCatalog", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Tests against a real PostgreSQL (as postgres-nio keeps its integration tests apart).
        .testTarget(
            name: "AtelierLoaderIntegrationTests",
            dependencies: [
                "AtelierCommandLine", "AtelierLoader", "AtelierPostgres", "AtelierSchema", "AtelierCatalog",
                "AtelierTestSupport",
            ]
        ),
        .testTarget(
            name: "AtelierAPIIntegrationTests",
            dependencies: [
                "AtelierAPI", "AtelierCatalog", "AtelierLoader", "AtelierPostgres", "AtelierSchema", "AtelierStore",
                "AtelierTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
    ]
)
