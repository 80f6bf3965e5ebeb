// swift-tools-version:6.0
import PackageDescription

// Module direction (see ../shared/DESIGN.md): the CLI depends on the features, features depend on
// the core, and no feature depends on another feature's internals.
let package = Package(
    name: "komply",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "komply", targets: ["komply"]),
        .library(name: "KomplyCore", targets: ["KomplyCore"]),
        .library(name: "KomplySources", targets: ["KomplySources"]),
    ],
    dependencies: [
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        // Hummingbird's own versions; named for the channel handler behind serve's read deadlines.
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-extras", exact: "1.35.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        // The LLM refiner's HTTP client (timeouts, redirects, TLS); see docs/llm.md.
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        // The shared history store (`history: postgres://…`); see docs/postgres.md.
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
        // async-http-client's and postgres-nio's TLS; named for `komply observe`'s private-CA option and the
        // TLS context of sslmode=prefer|require.
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    ],
    targets: [
        .target(name: "KomplyCore", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The schema's JSON is embedded as Swift (scripts/generate); the file is its source.
        .target(name: "KomplySources", dependencies: ["KomplyCore"], exclude: ["Schema/compose-spec.json"]),
        .target(
            name: "KomplyGenerate",
            dependencies: ["KomplyCore", "KomplySources", .product(name: "Mustache", package: "swift-mustache")]
        ),
        .target(
            name: "KomplyPredict",
            dependencies: [
                "KomplyCore", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "KomplyLint", dependencies: ["KomplyCore"]),
        // libgit2 from the system (Debian: libgit2-dev); the shim wraps what Swift cannot call (variadic opts).
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"]), .brew(["libgit2"])]),
        .target(name: "CGit2Shim", dependencies: ["CGit2"], linkerSettings: [.linkedLibrary("git2")]),
        .target(name: "KomplyGit", dependencies: ["KomplyCore", "CGit2", "CGit2Shim"]),
        // The webhook receiver behind `komply serve`; what a push regenerates is injected by the CLI.
        .target(
            name: "KomplyServe",
            dependencies: [
                "KomplyCore", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"), .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // The optional LLM refiner: providers, prompt, replay cache and the patch validator.
        .target(
            name: "KomplyRefine",
            dependencies: [
                "KomplyCore", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "Mustache", package: "swift-mustache"),
            ]
        ),
        // The one place features meet: read → classify → size → generate → lint → write, and the sync,
        // staged and --ref flows, as library calls.
        .target(
            name: "KomplyPipeline",
            dependencies: [
                "KomplyCore", "KomplySources", "KomplyGenerate", "KomplyPredict", "KomplyLint", "KomplyGit", "KomplyServe",
                "KomplyRefine", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                // komply serve's shared store (`--store postgres://…`): PostgresServeStore.
                .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "komply",
            dependencies: [
                "KomplyCore", "KomplyPipeline", "KomplySources", "KomplyGenerate", "KomplyPredict", "KomplyLint", "KomplyGit",
                "KomplyServe", "KomplyRefine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            plugins: ["CommitStamp"]
        ),
        // `komply --version` names the commit: scripts/commit-stamp reads the local .git before each build.
        .plugin(name: "CommitStamp", capability: .buildTool()),
        .testTarget(name: "KomplyCoreTests", dependencies: ["KomplyCore"]),
        .testTarget(name: "KomplySourcesTests", dependencies: ["KomplySources"]),
        .testTarget(name: "KomplyGenerateTests", dependencies: ["KomplyGenerate", "KomplySources", "KomplyCore"]),
        // Loopback servers shared by test targets (never linked into komply).
        .target(name: "KomplyTestSupport", path: "Tests/KomplyTestSupport"),
        .testTarget(name: "KomplyCLITests", dependencies: ["KomplyCore", "KomplyTestSupport"]),
        .testTarget(name: "KomplyGitTests", dependencies: ["KomplyGit", "KomplyTestSupport"]),
        .testTarget(name: "KomplyLintTests", dependencies: ["KomplyLint", "KomplyCore"]),
        .testTarget(name: "KomplyPredictTests", dependencies: ["KomplyPredict", "KomplyCore", "KomplyTestSupport"]),
        .testTarget(
            name: "KomplyPipelineTests",
            dependencies: [
                "KomplyPipeline", "KomplyCore", "KomplySources", "KomplyPredict", "KomplyLint", "KomplyGit", "KomplyServe",
                "KomplyTestSupport",
            ]),
        .testTarget(name: "KomplyServeTests", dependencies: ["KomplyServe", "KomplyCore"]),
        .testTarget(
            name: "KomplyRefineTests",
            dependencies: [
                "KomplyRefine", "KomplyPipeline", "KomplyCore", "KomplyLint", "KomplySources", "KomplyGenerate", "KomplyPredict",
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ]
)
