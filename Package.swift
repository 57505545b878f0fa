// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "atelier",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "atelier-etl", targets: ["atelier-etl"]),
        .executable(name: "atelier-serve", targets: ["atelier-serve"]),
        .library(name: "AtelierCatalog", targets: ["AtelierCatalog"]),
        .library(name: "AtelierDatabase", targets: ["AtelierDatabase"]),
        .library(name: "AtelierLoader", targets: ["AtelierLoader"]),
        .library(name: "AtelierGenerator", targets: ["AtelierGenerator"]),
        .library(name: "AtelierAPI", targets: ["AtelierAPI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CLibCSV", providers: [.apt(["libcsv-dev"])]),
        // The 14 export files, their columns and the cleaning rules: pure, no database.
        .target(name: "AtelierCatalog", dependencies: ["CLibCSV"]),
        // PostgreSQL through libpq: connection, binary COPY writer, schema, verify.
        .target(name: "AtelierDatabase", dependencies: ["AtelierCatalog", "CLibPQ"]),
        // The load pipeline: CSV file → cleaner → COPY, with rejects, progress and report.
        .target(name: "AtelierLoader", dependencies: ["AtelierCatalog", "AtelierDatabase"]),
        // Deterministic synthetic exports at any scale, with planted defects, for benchmarks.
        .target(name: "AtelierGenerator", dependencies: ["AtelierCatalog"]),
        .executableTarget(
            name: "atelier-etl",
            dependencies: [
                "AtelierLoader",
                "AtelierGenerator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The CSV reader, cleaner and COPY encoder under libFuzzer (`make fuzz-csv`); a plain
        // build replays fuzz inputs.
        .systemLibrary(name: "CLibFuzzer"),
        .executableTarget(name: "atelier-fuzz-csv", dependencies: ["AtelierCatalog", "AtelierDatabase", "CLibFuzzer"]),
        // The legacy HTTP API: routes, request validation and the SQL that builds each answer.
        .target(
            name: "AtelierAPI",
            dependencies: [
                "AtelierDatabase",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            resources: [.copy("openapi.json")]
        ),
        .executableTarget(
            name: "atelier-serve",
            dependencies: [
                "AtelierAPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AtelierCatalogTests", dependencies: ["AtelierCatalog"]),
        .testTarget(name: "AtelierGeneratorTests", dependencies: ["AtelierGenerator", "AtelierCatalog"]),
        .testTarget(name: "AtelierDatabaseTests", dependencies: ["AtelierDatabase", "AtelierCatalog"]),
        // Test databases on the throwaway cluster of `make test`, shared by the test targets.
        .target(name: "AtelierTestSupport", dependencies: ["AtelierLoader", "AtelierDatabase"], path: "Tests/AtelierTestSupport"),
        .testTarget(name: "AtelierLoaderTests", dependencies: ["AtelierLoader", "AtelierDatabase", "AtelierCatalog", "AtelierTestSupport"]),
        .testTarget(
            name: "AtelierAPITests",
            dependencies: [
                "AtelierAPI", "AtelierCatalog", "AtelierDatabase", "AtelierTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
    ]
)
