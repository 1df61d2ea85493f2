// swift-tools-version:6.0
import PackageDescription

/// The numeric modules are optimised in debug builds too, so that `make test` (a debug build) runs their simulations,
/// imports and EM fits at release speed; the forward–backward's generic SIMD vectors, unspecialised, would run the
/// tests' fits tens of times slower.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "SegmentLab",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "segmentlab", targets: ["segmentlab"]),
        .library(name: "Workbench", targets: ["Workbench"]),
        .library(name: "EventImport", targets: ["EventImport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    ],
    targets: [
        // MARK: - Command line and benchmarks

        .executableTarget(
            name: "segmentlab",
            dependencies: [
                "Workbench", "EventImport", "Segmentation", "UsageModel", "YAMLInput",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "SimulationBenchmark",
            dependencies: ["Workbench", "Simulation", "Segmentation", "UsageModel"],
            path: "Benchmarks/SimulationBenchmark"
        ),
        .executableTarget(
            name: "FitBenchmark",
            dependencies: ["Fitting"],
            path: "Benchmarks/FitBenchmark"
        ),

        // MARK: - Library

        .target(
            name: "Workbench",
            dependencies: [
                "Simulation", "Segmentation", "EventImport", "Analysis", "Fitting", "Reports", "Reporting",
                "UsageModel", "YAMLInput",
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .target(name: "Reports", dependencies: ["Analysis", "Reporting", "UsageModel"]),
        .target(
            name: "Reporting",
            dependencies: ["UsageModel", .product(name: "Mustache", package: "swift-mustache")],
            resources: [.copy("Templates")]
        ),
        .target(name: "Simulation", dependencies: ["UsageModel", "Segmentation", "Stats"], swiftSettings: optimised),
        .target(name: "Segmentation", dependencies: ["UsageModel"], swiftSettings: optimised),
        .target(name: "Analysis", dependencies: ["UsageModel", "Stats"], swiftSettings: optimised),
        .target(name: "Fitting", dependencies: ["Stats", "UsageModel"], swiftSettings: optimised),
        .target(
            name: "EventImport", dependencies: ["UsageModel", "YAMLInput", .product(name: "Yams", package: "Yams")],
            swiftSettings: optimised),
        .target(name: "YAMLInput", dependencies: ["UsageModel", .product(name: "Yams", package: "Yams")]),
        .target(name: "UsageModel"),
        .target(name: "Stats", dependencies: ["CGSL"], swiftSettings: optimised),

        // MARK: - Implementation details

        .systemLibrary(
            name: "CGSL",
            pkgConfig: "gsl",
            providers: [.apt(["libgsl-dev"]), .brew(["gsl"])]
        ),

        // MARK: - Tests

        .testTarget(name: "StatsTests", dependencies: ["Stats"]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Stats", "UsageModel", "Workbench"]),
        .testTarget(name: "SegmentationTests", dependencies: ["Segmentation", "UsageModel"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "Stats"]),
        .testTarget(name: "FittingTests", dependencies: ["Fitting", "Stats"]),
        .testTarget(name: "ReportingTests", dependencies: ["Reporting"]),
        .testTarget(name: "EventImportTests", dependencies: ["EventImport", "Stats", "UsageModel", "YAMLInput"]),
        .testTarget(
            name: "WorkbenchTests",
            dependencies: [
                "Workbench", "Analysis", "Reports", "Simulation", "Segmentation", "EventImport", "Stats", "UsageModel",
                "YAMLInput",
            ]),
    ]
)

for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    target.swiftSettings = settings
}
