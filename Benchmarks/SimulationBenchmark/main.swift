// SegmentLab's speed and memory figures, one JSON object a line (`make bench`).
//
//   SimulationBenchmark [SCENARIO] [--large]   every case below (with the 5 M-user run of
//                                              Benchmarks/scale.yaml); --large adds the 10 M-user run and
//                                              a year-long log of 2 M users segmented
//   SimulationBenchmark SCENARIO --users N --threads T [--days D] [--segmentation]
//                                              one day-loop case, run in a child process: the
//                                              scenario's day loop (with its segments evaluated in
//                                              the loop with --segmentation) and, in the same
//                                              process, the minimal reference loop (MinimalLoop)
//
// Whole commands (`segmentlab run`, `simulate`, `segment`) are timed as child processes of the
// release `segmentlab` beside this binary, with their peak resident memory from wait4(2), and
// beside it the memory each command estimated before starting. Each case runs in its own process
// because peak memory only ever grows within one. Build both in release:
// `swift build -c release --product SimulationBenchmark --product segmentlab`.
import Foundation
import Segmentation
import Simulation
import UsageModel
import Workbench

#if canImport(Glibc)
    import Glibc
#endif

let arguments = Array(CommandLine.arguments.dropFirst())
let scenarioPath = arguments.first { !$0.hasPrefix("--") && Int($0) == nil } ?? "scenarios/saas-default.yaml"

func value(_ name: String) -> Int? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return Int(arguments[i + 1])
}

func seconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }

func emit(_ record: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
    FileHandle.standardOutput.write(data + Data([0x0A]))
}

func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Int(usage.ru_maxrss) * 1024  // Linux reports KiB
}

/// Runs a command to its end; its wall time and peak resident memory (wait4), or the exit status.
func measure(_ executable: String, _ args: [String]) -> (seconds: Double, peakBytes: Int, status: Int32) {
    var pid: pid_t = 0
    let argv = ([executable] + args).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var devNull = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&devNull)
    posix_spawn_file_actions_addopen(&devNull, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&devNull) }
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, executable, &devNull, nil, argv, environ) == 0 else { return (0, 0, -1) }
    var status: Int32 = 0
    var usage = rusage()
    _ = wait4(pid, &status, 0, &usage)
    let elapsed = seconds(since: start)
    let exited = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    return (elapsed, Int(usage.ru_maxrss) * 1024, exited)
}

/// Bytes and line feeds of a file, read a chunk at a time. The file is never mapped or held: a
/// child started later would inherit this process's peak resident memory as its own (Linux keeps
/// the high-water mark across exec), and the figures of the commands measured after it would lie.
func countLines(_ path: String) throws -> (bytes: Int, lines: Int) {
    let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    var bytes = 0
    var lines = 0
    while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
        bytes += chunk.count
        lines += chunk.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
    }
    return (bytes, lines)
}

if let users = value("--users"), let threads = value("--threads") {
    // One day-loop case, with the minimal loop measured beside it.
    let days = value("--days") ?? 365
    let scenario = try ScenarioLoader.load(contentsOf: scenarioPath)
    let spec = try Workbench.prepare(
        scenario, options: RunOptions(users: users, days: days, threads: threads), writesEventLog: false)
    let setupStart = DispatchTime.now().uptimeNanoseconds
    let segmentation = arguments.contains("--segmentation")
    let truthDays = segmentation ? Workbench.truthDays(scenario, spec: spec) : .only([])
    let simulator = try Simulator(spec: spec, threads: threads, truthDays: truthDays)
    let observers: [any DayObserver] = segmentation ? [SegmentationEngine(scenario.segmentation, threads: threads)] : []
    let loopStart = DispatchTime.now().uptimeNanoseconds
    let metrics = try simulator.run(observers: observers)
    let loopSeconds = seconds(since: loopStart)
    let peak = peakResidentBytes()
    let signedUpUserDays = metrics.reduce(0) { $0 + $1.usersByState.reduce(0, +) }

    let minimal = MinimalLoop(users: users, days: days, seed: spec.seed)
    let minimalStart = DispatchTime.now().uptimeNanoseconds
    let reference = minimal.run(threads: threads)
    let minimalSeconds = seconds(since: minimalStart)
    let rate = Double(users * days) / loopSeconds
    let minimalRate = Double(reference.userDays) / minimalSeconds
    emit([
        "benchmark": segmentation ? "day_loop_with_segmentation" : "day_loop",
        "scenario": scenario.name, "users": users, "days": days, "threads": threads,
        "population_seconds": Double(loopStart - setupStart) / 1e9,
        "day_loop_seconds": loopSeconds,
        "user_days_per_second": rate,
        "signed_up_user_days_per_second": Double(signedUpUserDays) / loopSeconds,
        "minimal_loop_seconds": minimalSeconds,
        "minimal_loop_user_days_per_second": minimalRate,
        "share_of_minimal_loop": rate / minimalRate,
        "minimal_loop_checksum": String(reference.checksum),
        "peak_resident_bytes": peak,
        "estimated_bytes": segmentation
            ? Workbench.estimatedBytes(scenario, spec: spec, writesEventLog: false)
            : MemoryEstimate.bytes(for: spec, writesEventLog: false, truthDays: truthDays),
    ])
} else {
    let me = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    let segmentlab = me.deletingLastPathComponent().appendingPathComponent("segmentlab").path
    let scratch = URL(fileURLWithPath: ".build-bench", isDirectory: true)
    try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    let scenario = try ScenarioLoader.load(contentsOf: scenarioPath)
    func fresh(_ name: String) -> String {
        let path = scratch.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    // The day loop at 1 and 2 threads, with segmentation, each beside the minimal loop.
    var dayLoop: [Int: Double] = [:]
    for threads in [1, 2] {
        let child = Process()
        child.executableURL = me
        child.arguments = [
            scenarioPath, "--users", "1000000", "--threads", String(threads), "--segmentation",
        ]
        let pipe = Pipe()
        child.standardOutput = pipe
        try child.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        FileHandle.standardOutput.write(output)
        if let record = try? JSONSerialization.jsonObject(with: output) as? [String: Any] {
            dayLoop[threads] = record["user_days_per_second"] as? Double
        }
    }
    if let one = dayLoop[1], let two = dayLoop[2] {
        emit(["benchmark": "day_loop_thread_scaling", "users": 1_000_000, "speedup_2_threads": two / one])
    }

    // Whole runs, and how their cost grows with the population: the least-squares slope of
    // log(seconds) and of log(peak bytes) against log(users), 1 for linear growth.
    var runSizes = [10_000, 100_000, 1_000_000]
    if arguments.contains("--large") { runSizes.append(10_000_000) }
    var runCosts: [(users: Double, seconds: Double, bytes: Double)] = []
    for users in runSizes {
        let spec = try Workbench.prepare(
            scenario, options: RunOptions(users: users, threads: 2), writesEventLog: false)
        let estimate = Workbench.estimatedBytes(scenario, spec: spec, writesEventLog: false)
        let out = fresh("run-\(users)")
        let m = measure(
            segmentlab, ["run", scenarioPath, "--users", String(users), "--threads", "2", "--out", out])
        emit([
            "benchmark": "run", "scenario": scenario.name, "users": users, "days": spec.days, "threads": 2,
            "seconds": m.seconds, "peak_resident_bytes": m.peakBytes, "estimated_bytes": estimate,
            "exit_status": Int(m.status),
        ])
        if m.status == 0 { runCosts.append((Double(users), m.seconds, Double(m.peakBytes))) }
        try? FileManager.default.removeItem(atPath: out)
    }
    func slope(_ points: [(x: Double, y: Double)]) -> Double {
        let xs = points.map { log($0.x) }
        let ys = points.map { log($0.y) }
        let mx = xs.reduce(0, +) / Double(xs.count)
        let my = ys.reduce(0, +) / Double(ys.count)
        let sxy = zip(xs, ys).reduce(0) { $0 + ($1.0 - mx) * ($1.1 - my) }
        let sxx = xs.reduce(0) { $0 + ($1 - mx) * ($1 - mx) }
        return sxy / sxx
    }
    if runCosts.count >= 2 {
        emit([
            "benchmark": "run_cost_growth", "scenario": scenario.name, "users": runCosts.map { Int($0.users) },
            "time_exponent": slope(runCosts.map { ($0.users, $0.seconds) }),
            "memory_exponent": slope(runCosts.map { ($0.users, $0.bytes) }),
        ])
    }

    // The scale scenario whole: 5 M users over a year (Benchmarks/scale.yaml).
    do {
        let path = "Benchmarks/scale.yaml"
        let scale = try ScenarioLoader.load(contentsOf: path)
        let spec = try Workbench.prepare(scale, options: RunOptions(threads: 2), writesEventLog: false)
        let out = fresh("run-scale")
        let m = measure(segmentlab, ["run", path, "--threads", "2", "--out", out])
        emit([
            "benchmark": "run", "scenario": scale.name, "users": spec.users, "days": spec.days, "threads": 2,
            "seconds": m.seconds, "peak_resident_bytes": m.peakBytes,
            "estimated_bytes": Workbench.estimatedBytes(scale, spec: spec, writesEventLog: false),
            "exit_status": Int(m.status),
        ])
        try? FileManager.default.removeItem(atPath: out)
    }

    // A synthetic log of about 10 M events from 180 000 users (30 days of sign-ups and use),
    // written as CSV and as JSONL, then segmented.
    let logUsers = 180_000
    let logDays = 30
    var logs: [(format: String, path: String, events: Int)] = []
    let logSpec = try Workbench.prepare(
        scenario, options: RunOptions(users: logUsers, days: logDays, threads: 2), writesEventLog: true)
    let logEstimate = Workbench.estimatedBytes(scenario, spec: logSpec, writesEventLog: true)
    for format in ["csv", "jsonl"] {
        let path = fresh("log-\(logUsers)-\(logDays).\(format)")
        let m = measure(
            segmentlab,
            [
                "simulate", scenarioPath, "--users", String(logUsers), "--days", String(logDays), "--threads", "2",
                "--events-out", path,
            ])
        let (bytes, lines) = try countLines(path)
        let events = format == "csv" ? lines - 1 : lines
        logs.append((format, path, events))
        emit([
            "benchmark": "simulate_event_log", "format": format, "users": logUsers, "days": logDays,
            "events": events, "bytes": bytes, "seconds": m.seconds,
            "events_per_second": Double(events) / m.seconds, "peak_resident_bytes": m.peakBytes,
            "estimated_bytes": logEstimate, "exit_status": Int(m.status),
        ])
    }
    // The commands first, the estimate (pass 1 in this process) after: its memory would otherwise
    // count in the children's peaks.
    var segmented: [(format: String, events: Int, m: (seconds: Double, peakBytes: Int, status: Int32))] = []
    for log in logs {
        let out = fresh("segment-\(log.format)")
        let m = measure(
            segmentlab,
            [
                "segment", "--events", log.path, "--taxonomy", "scenarios/example-taxonomy.yaml", "--threads", "2",
                "--out", out,
            ])
        segmented.append((log.format, log.events, m))
        try? FileManager.default.removeItem(atPath: out)
    }
    let estimate = try Workbench.estimatedSegmentBytes(
        SegmentOptions(events: [logs[0].path], taxonomy: "scenarios/example-taxonomy.yaml", threads: 2))
    for (format, events, m) in segmented {
        emit([
            "benchmark": "segment", "format": format, "users": logUsers, "days": logDays, "events": events,
            "threads": 2, "seconds": m.seconds, "events_per_second": Double(events) / m.seconds,
            "peak_resident_bytes": m.peakBytes, "estimated_bytes": estimate, "exit_status": Int(m.status),
        ])
    }
    for log in logs { try? FileManager.default.removeItem(atPath: log.path) }

    // A year-long log of 2 M users and about 110 M events (9.4 GB of CSV) from Benchmarks/large-log.yaml,
    // where most users lapse within days: a log whose users × days is large and whose active user-days
    // are few, segmented as above.
    if arguments.contains("--large") {
        let users = 2_000_000
        let path = fresh("log-\(users)-365.csv")
        let simulated = measure(
            segmentlab,
            [
                "simulate", "Benchmarks/large-log.yaml", "--users", String(users), "--threads", "2", "--events-out",
                path,
            ])
        let (bytes, lines) = try countLines(path)
        emit([
            "benchmark": "simulate_event_log", "scenario": "large-log", "format": "csv", "users": users, "days": 365,
            "events": lines - 1, "bytes": bytes, "seconds": simulated.seconds,
            "events_per_second": Double(lines - 1) / simulated.seconds, "peak_resident_bytes": simulated.peakBytes,
            "exit_status": Int(simulated.status),
        ])
        let out = fresh("segment-large")
        let m = measure(
            segmentlab,
            [
                "segment", "--events", path, "--taxonomy", "scenarios/example-taxonomy.yaml", "--threads", "2",
                "--out", out,
            ])
        try? FileManager.default.removeItem(atPath: out)
        let estimate = try Workbench.estimatedSegmentBytes(
            SegmentOptions(events: [path], taxonomy: "scenarios/example-taxonomy.yaml", threads: 2))
        emit([
            "benchmark": "segment", "scenario": "large-log", "format": "csv", "users": users, "days": 365,
            "events": lines - 1, "threads": 2, "seconds": m.seconds,
            "events_per_second": Double(lines - 1) / m.seconds, "peak_resident_bytes": m.peakBytes,
            "estimated_bytes": estimate, "exit_status": Int(m.status),
        ])
        try? FileManager.default.removeItem(atPath: path)
    }
}
