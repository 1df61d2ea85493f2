import Foundation

/// A progress line on standard error, redrawn in place, only when standard error is a terminal
/// and the run has lasted over a second (short runs and logs stay clean).
final class ProgressLine {
    private let total: Int
    private let label: String
    private let enabled: Bool
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false

    init(label: String, total: Int, enabled: Bool) {
        self.label = label
        self.total = total
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start > 1_000_000_000, now - lastDraw > 200_000_000 || done == total else { return }
        lastDraw = now
        let seconds = Double(now - start) / 1e9
        let percent = total == 0 ? 100 : 100 * done / total
        let line = "\r\(label) \(done)/\(total) (\(percent) %), \(Int(seconds)) s"
        FileHandle.standardError.write(Data(line.utf8))
        drawn = true
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
