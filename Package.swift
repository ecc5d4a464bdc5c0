// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Tally",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "TallyCore", targets: ["TallyCore"]),
        .library(name: "TallyAggregation", targets: ["TallyAggregation"]),
        .library(name: "TallyReports", targets: ["TallyReports"]),
        .library(name: "TallyQualityControl", targets: ["TallyQualityControl"]),
        .library(name: "TallySimulation", targets: ["TallySimulation"]),
        .library(name: "TolokaEmulator", targets: ["TolokaEmulator"]),
        .library(name: "TolokaClient", targets: ["TolokaClient"]),
        .executable(name: "tally", targets: ["tally"]),
        // The C ABI (header: Sources/CTallyABI/include/tally.h) as a shared library, for the Python package.
        .library(name: "TallyC", type: .dynamic, targets: ["TallyC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // MARK: - System libraries
        .systemLibrary(
            name: "CTallyBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]
        ),

        .target(name: "CTallyKernels"),

        // zlib, so that every reader opens gzip-compressed files (datasets/real/*.tsv.gz) directly.
        .systemLibrary(
            name: "CTallyZlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: - Public API
        .target(name: "TallyCore", dependencies: ["CTallyZlib"], swiftSettings: swiftSettings),
        .target(
            name: "TallyAggregation",
            dependencies: ["TallyCore", "CTallyBLAS", "CTallyKernels"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "TallyReports",
            dependencies: ["TallyCore", "TallyAggregation"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "TallyQualityControl",
            dependencies: ["TallyCore"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "TallySimulation",
            dependencies: ["TallyCore", "TallyQualityControl", "TallyAggregation"],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "TolokaEmulator",
            dependencies: [
                "TallyCore",
                "TallyAggregation",
                "TallyQualityControl",
                "TallySimulation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),

        // Toloka's REST API: Codable models, an async client (URLSession) and resumable runs.
        .target(
            name: "TolokaClient",
            dependencies: ["TallyCore"],
            swiftSettings: swiftSettings
        ),

        // MARK: - C ABI (libTallyC.so): plain C functions over the method registry
        .target(name: "CTallyABI"),
        .target(
            name: "TallyC",
            dependencies: ["TallyCore", "TallyAggregation", "CTallyABI"],
            swiftSettings: swiftSettings
        ),

        // MARK: - Command-line tool
        .executableTarget(
            name: "tally",
            dependencies: [
                "TallyCore",
                "TallyAggregation",
                "TallyReports",
                "TallyQualityControl",
                "TallySimulation",
                "TolokaEmulator",
                "TolokaClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: - Tests
        // Helpers shared by the test targets (temporary files, repository paths, the `tally`
        // binary as a subprocess, the emulator as a subprocess). Only test targets depend on it;
        // no test target depends on the `tally` executable (it is found beside the test runner).
        .target(
            name: "TallyTestSupport",
            path: "Tests/TallyTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallyCoreTests",
            dependencies: ["TallyCore", "TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallyAggregationTests",
            dependencies: ["TallyAggregation", "TallyCore", "TallyTestSupport"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallyReportsTests",
            dependencies: ["TallyReports", "TallyCore", "TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallyQualityControlTests",
            dependencies: ["TallyQualityControl", "TallyCore", "TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallySimulationTests",
            dependencies: ["TallySimulation", "TallyQualityControl", "TallyCore", "TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TolokaEmulatorTests",
            dependencies: ["TolokaEmulator", "TallySimulation", "TallyAggregation", "TallyQualityControl", "TallyCore", "TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TolokaClientTests",
            dependencies: ["TolokaClient", "TallyCore", "TallyTestSupport", "TolokaEmulator", "TallyAggregation"],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "TallyCLITests",
            dependencies: ["TallyTestSupport"],
            swiftSettings: swiftSettings
        ),
    ]
)

// Benchmarks are opt-in so that `swift build` and `swift test` never build package-benchmark:
//   TALLY_BENCHMARKS=1 swift package benchmark --target TallyBenchmarks
if Context.environment["TALLY_BENCHMARKS"] != nil {
    package.dependencies.append(
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"])
    )
    package.targets.append(
        .executableTarget(
            name: "TallyBenchmarks",
            dependencies: [
                "TallyCore",
                "TallyAggregation",
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/TallyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    )
}
