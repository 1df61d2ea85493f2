import Foundation
import UsageModel

/// Writes a run's files into a hidden temporary folder beside the destination and renames it into
/// place at the end, so an interrupted run leaves the previous output or none — never half of one
/// (invariant 5).
///
/// A destination that exists is replaced only when it is empty or holds the marker file a
/// SegmentLab output carries: a folder of the user's is never deleted.
struct OutputDirectory {
    let destination: URL
    let staging: URL
    private let cleanup: InterruptCleanup.Token

    /// The file that marks a folder as SegmentLab's own output, which a later run may replace.
    static let markerName = ".segmentlab-output"
    static let markerText = "This folder was written by segmentlab; a later run given it as --out replaces it whole.\n"

    init(destination: String) throws {
        try Self.checkDestination(destination)
        self.destination = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        let staging = parent.appendingPathComponent(
            ".\(self.destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        self.staging = staging
        let fm = FileManager.default
        cleanup = InterruptCleanup.register { try? FileManager.default.removeItem(at: staging) }
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try Self.recover(self.destination)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
            try Data(Self.markerText.utf8).write(to: staging.appendingPathComponent(Self.markerName))
        } catch {
            InterruptCleanup.unregister(cleanup)
            throw RunError.failed("cannot create \(staging.path): \(error.localizedDescription)")
        }
    }

    /// Refuses (bad input) an output path that holds something SegmentLab did not write: a file, or
    /// a folder that is neither empty nor marked as an earlier output. Called before a run starts,
    /// so the user does not wait for a refusal, and again when the output is created.
    static func checkDestination(_ path: String) throws(RunError) {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else {
            throw .badInput(
                "--out \(path): a file of that name exists; SegmentLab writes a folder and never replaces a file. "
                    + "Choose another name.")
        }
        guard let entries = try? fm.contentsOfDirectory(atPath: url.path) else {
            throw .badInput("--out \(path): the folder exists and cannot be read")
        }
        if entries.isEmpty || entries.contains(markerName) { return }
        let example = entries.sorted().first!
        throw .badInput(
            "--out \(path): the folder holds \(entries.count) \(entries.count == 1 ? "entry" : "entries") that SegmentLab "
                + "did not write (such as '\(example)'), which a run would replace. Choose a new or empty folder, "
                + "or one an earlier run wrote.")
    }

    /// Cleans up after runs that were killed: their staged folders are removed, and a previous
    /// report moved aside just before a kill is put back if nothing replaced it.
    static func recover(_ destination: URL) throws {
        let fm = FileManager.default
        let parent = destination.deletingLastPathComponent()
        let name = destination.lastPathComponent
        for entry in (try? fm.contentsOfDirectory(atPath: parent.path)) ?? [] {
            for kind in ["partial", "old"] {
                let prefix = ".\(name).\(kind)-"
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)),
                    !InterruptCleanup.isRunning(pid)
                else {
                    continue
                }
                let url = parent.appendingPathComponent(entry)
                if kind == "old", !fm.fileExists(atPath: destination.path) {
                    try fm.moveItem(at: url, to: destination)
                } else {
                    try fm.removeItem(at: url)
                }
            }
        }
    }

    func write(_ data: Data, to name: String) throws {
        do {
            try data.write(to: staging.appendingPathComponent(name))
        } catch {
            throw RunError.failed("cannot write \(name) in \(staging.path): \(error.localizedDescription)")
        }
    }

    /// Moves the staged folder onto the destination, replacing an earlier run's folder.
    func commit() throws {
        let fm = FileManager.default
        // Something may have been put there while the run went on.
        try Self.checkDestination(destination.path)
        defer { InterruptCleanup.unregister(cleanup) }
        do {
            try InterruptCleanup.critical { try replaceDestination(fm) }
        } catch {
            throw RunError.failed("cannot move the run into \(destination.path): \(error.localizedDescription)")
        }
    }

    private func replaceDestination(_ fm: FileManager) throws {
        if fm.fileExists(atPath: destination.path) {
            let old = destination.deletingLastPathComponent().appendingPathComponent(
                ".\(destination.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
            try fm.moveItem(at: destination, to: old)
            try fm.moveItem(at: staging, to: destination)
            try fm.removeItem(at: old)
        } else {
            try fm.moveItem(at: staging, to: destination)
        }
    }

    /// Removes the staged folder after a failure.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
        InterruptCleanup.unregister(cleanup)
    }
}
