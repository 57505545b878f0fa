// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "atelier",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "atelier-etl", targets: ["atelier-etl"]),
        .library(name: "AtelierCatalog", targets: ["AtelierCatalog"]),
        .library(name: "AtelierDatabase", targets: ["AtelierDatabase"]),
        .library(name: "AtelierLoader", targets: ["AtelierLoader"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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
        .executableTarget(
            name: "atelier-etl",
            dependencies: [
                "AtelierLoader",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "AtelierCatalogTests", dependencies: ["AtelierCatalog"]),
        .testTarget(name: "AtelierDatabaseTests", dependencies: ["AtelierDatabase", "AtelierCatalog"]),
        .testTarget(name: "AtelierLoaderTests", dependencies: ["AtelierLoader", "AtelierDatabase", "AtelierCatalog"]),
    ]
)
