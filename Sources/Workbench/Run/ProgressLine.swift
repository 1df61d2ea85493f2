import Foundation

/// A progress line on standard error, redrawn in place, only when standard error is a terminal
/// and the command has lasted over a second (short runs and logs stay clean): the step, how far it
/// is, the time so far and, once it can be told, an estimate of the time left in it.
///
/// A command's steps share one line: each ``update(_:done:total:)`` names its step, and the
/// estimate is the step's elapsed time scaled to what remains of it. Safe to call from several
/// threads.
final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private let lock = NSLock()
    private var step = ""
    private var stepStart: UInt64 = 0
    private var lastDraw: UInt64 = 0
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ label: String, done: Int, total: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let now = DispatchTime.now().uptimeNanoseconds
        if label != step {
            step = label
            stepStart = now
        }
        guard now - start > 1_000_000_000, now - lastDraw > 200_000_000 || done == total else { return }
        lastDraw = now
        let percent = total <= 0 ? 100 : min(100, 100 * done / total)
        var line = "\r\u{1B}[K\(label) \(done)/\(total) (\(percent) %), \(Int(Double(now - start) / 1e9)) s"
        let inStep = Double(now - stepStart) / 1e9
        if done > 0, done < total, inStep >= 1 {
            let left = inStep * Double(total - done) / Double(done)
            line += ", about \(Self.duration(left)) left"
        }
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        drawn = false
    }

    /// `45 s`, `3 min 20 s`, `1 h 05 min`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s) s" }
        if s < 3600 { return "\(s / 60) min \(s % 60 < 10 ? "0" : "")\(s % 60) s" }
        let minutes = s / 60 % 60
        return "\(s / 3600) h \(minutes < 10 ? "0" : "")\(minutes) min"
    }
}
