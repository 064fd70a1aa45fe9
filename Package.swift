// swift-tools-version: 6.1
import PackageDescription

// Baton: a Conductor-compatible workflow server. No package dependencies: the toolchain and the
// system libsqlite3 are the whole list. Targets depend one way only (see ../shared/STYLE.md).
let package = Package(
    name: "baton",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "baton", targets: ["baton"]),
        .executable(name: "baton-bench", targets: ["baton-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "BatonSupport"),
        .target(name: "CEventPoll"),
        .target(name: "BatonHTTP", dependencies: ["BatonSupport", "CEventPoll"]),
        .target(name: "BatonSQLite", dependencies: ["CSQLite", "BatonSupport"]),
        .target(name: "BatonEngine", dependencies: ["BatonSupport"]),
        .target(
            name: "BatonStore",
            dependencies: ["BatonSQLite", "BatonEngine"],
            plugins: ["EmbedMigrations"]
        ),
        .target(name: "BatonAPI", dependencies: ["BatonHTTP", "BatonEngine"]),
        // The web UI at `/`: server-rendered pages over the same services as the API.
        .target(name: "BatonUI", dependencies: ["BatonAPI", "BatonHTTP", "BatonEngine", "BatonSupport"]),
        .executableTarget(
            name: "baton",
            dependencies: ["BatonSupport", "BatonHTTP", "BatonSQLite", "BatonEngine", "BatonStore", "BatonAPI", "BatonUI"]
        ),
        .executableTarget(name: "baton-bench", dependencies: ["BatonSupport", "BatonSQLite"]),
        // Fuzz targets for libFuzzer (scripts/fuzz); a plain build replays the corpus in Tests/fuzz.
        .executableTarget(name: "baton-fuzz", dependencies: ["BatonSupport", "BatonHTTP", "BatonEngine", "CFuzzDriver"]),
        .target(name: "CFuzzDriver"),
        // Build-time helper: turns migrations/*.sql into Swift string constants so the binary carries its schema.
        .executableTarget(name: "MigrationEmbedder"),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),
        .target(
            name: "BatonTestSupport",
            dependencies: ["BatonSupport", "BatonSQLite", "BatonEngine", "BatonStore"]
        ),
        .testTarget(name: "BatonSupportTests", dependencies: ["BatonSupport"]),
        .testTarget(name: "BatonHTTPTests", dependencies: ["BatonHTTP"]),
        .testTarget(name: "BatonSQLiteTests", dependencies: ["BatonSQLite", "BatonTestSupport"]),
        .testTarget(name: "BatonEngineTests", dependencies: ["BatonEngine", "BatonTestSupport"]),
        .testTarget(name: "BatonStoreTests", dependencies: ["BatonStore", "BatonTestSupport"]),
        .testTarget(name: "BatonAPITests", dependencies: ["BatonAPI", "BatonStore", "BatonTestSupport"]),
        .testTarget(name: "BatonUITests", dependencies: ["BatonUI", "BatonAPI", "BatonStore", "BatonTestSupport"]),
        .testTarget(name: "batonTests", dependencies: ["baton"]),
    ],
    swiftLanguageModes: [.v6]
)
