// Day-loop throughput and peak memory, printed as JSON.
//
//   SimulationBenchmark [SCENARIO]                      every case, each in a child process
//   SimulationBenchmark SCENARIO --users N --threads T [--segmentation]
//                                                      one case (what the children run); with
//                                                      --segmentation the scenario's segments are
//                                                      evaluated inside the day loop
//
// Each case runs in its own process because peak resident memory (getrusage's ru_maxrss) only
// ever grows within a process. Build in release: `swift build -c release --product SimulationBenchmark`.
import Foundation
import Segmentation
import Simulation
import UsageModel
import Workbench

let arguments = Array(CommandLine.arguments.dropFirst())
let scenarioPath = arguments.first { !$0.hasPrefix("--") && Int($0) == nil } ?? "scenarios/saas-default.yaml"

func value(_ name: String) -> Int? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return Int(arguments[i + 1])
}

func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024  // Linux reports KiB
}

if let users = value("--users"), let threads = value("--threads") {
    let days = value("--days") ?? 365
    let scenario = try ScenarioLoader.load(contentsOf: scenarioPath)
    let spec = try Workbench.prepare(
        scenario, options: RunOptions(users: users, days: days, threads: threads), writesEventLog: false)
    let setupStart = DispatchTime.now().uptimeNanoseconds
    let simulator = try Simulator(spec: spec, threads: threads)
    let segmentation = arguments.contains("--segmentation")
    let observers: [any DayObserver] = segmentation ? [SegmentationEngine(scenario.segmentation, threads: threads)] : []
    let loopStart = DispatchTime.now().uptimeNanoseconds
    let metrics = try simulator.run(observers: observers)
    let end = DispatchTime.now().uptimeNanoseconds
    let loopSeconds = Double(end - loopStart) / 1e9
    let signedUpUserDays = metrics.reduce(0) { $0 + $1.usersByState.reduce(0, +) }
    let record: [String: Any] = [
        "benchmark": segmentation ? "day_loop_with_segmentation" : "day_loop",
        "scenario": scenario.name,
        "users": users,
        "days": days,
        "threads": threads,
        "population_seconds": Double(loopStart - setupStart) / 1e9,
        "day_loop_seconds": loopSeconds,
        "user_days_per_second": Double(users * days) / loopSeconds,
        "signed_up_user_days_per_second": Double(signedUpUserDays) / loopSeconds,
        "peak_resident_bytes": peakResidentBytes(),
        "estimated_bytes": segmentation
            ? Workbench.estimatedBytes(scenario, spec: spec, writesEventLog: false)
            : MemoryEstimate.bytes(for: spec, writesEventLog: false),
    ]
    let data = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
} else {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    let cases = [100_000, 1_000_000].flatMap { users in
        [(users, 1, false), (users, 2, false), (users, 2, true)]
    }
    for (users, threads, segmentation) in cases {
        do {
            let child = Process()
            child.executableURL = me
            child.arguments =
                [scenarioPath, "--users", String(users), "--threads", String(threads)]
                + (segmentation ? ["--segmentation"] : [])
            try child.run()
            child.waitUntilExit()
            if child.terminationStatus != 0 { exit(child.terminationStatus) }
        }
    }
}
