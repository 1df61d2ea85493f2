// swift-tools-version:6.0
//
// libFuzzer targets for the parsers that read untrusted files. A package of its own, so that building or
// testing SegmentLab never needs the fuzzer runtime; docs/fuzzing.md says how to build and run it
// (`make fuzz` from the repository root).

import PackageDescription

let package = Package(
    name: "SegmentLabFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "SegmentLab", path: "..")
    ],
    targets: [
        // libFuzzer's LLVMFuzzerRunDriver, declared for Swift.
        .target(name: "CLibFuzzer"),
        // The shared entry point, the fixed taxonomy and the scratch files of the event-log targets.
        .target(
            name: "FuzzCommon",
            dependencies: ["CLibFuzzer", .product(name: "EventImport", package: "SegmentLab")]
        ),
        .executableTarget(
            name: "FuzzScenario",
            dependencies: ["FuzzCommon", .product(name: "Workbench", package: "SegmentLab")]
        ),
        .executableTarget(
            name: "FuzzTaxonomy",
            dependencies: ["FuzzCommon", .product(name: "EventImport", package: "SegmentLab")]
        ),
        .executableTarget(
            name: "FuzzCSV",
            dependencies: ["FuzzCommon"]
        ),
        .executableTarget(
            name: "FuzzJSONL",
            dependencies: ["FuzzCommon"]
        ),
    ]
)
