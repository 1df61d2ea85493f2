import Foundation
import UsageModel

/// Writes a run's files into a hidden temporary folder beside the destination (a ``StagedOutput``)
/// and renames it into place at the end, so an interrupted run leaves the previous output or none —
/// never half of one (invariant 5).
///
/// A destination that exists is replaced only when it is empty or holds the marker file a
/// SegmentLab output carries: a folder of the user's is never deleted.
struct OutputDirectory {
    let destination: URL
    let staging: URL
    private let staged: StagedOutput

    /// The file that marks a folder as SegmentLab's own output, which a later run may replace.
    static let markerName = ".segmentlab-output"
    static let markerText = "This folder was written by segmentlab; a later run given it as --out replaces it whole.\n"

    init(destination: String) throws {
        try Self.checkDestination(destination)
        self.destination = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        staged = StagedOutput(name: self.destination.lastPathComponent, in: parent.path, kind: .folder)
        staging = URL(fileURLWithPath: staged.staging, isDirectory: true)
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            try staged.removeLeftovers()
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try InterruptCleanup.critical {
                try fm.createDirectory(at: staging, withIntermediateDirectories: false)
                try Data(Self.markerText.utf8).write(to: staging.appendingPathComponent(Self.markerName))
            }
        } catch {
            staged.discard()
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

    func write(_ data: Data, to name: String) throws {
        do {
            // Held off while an interrupt removes the staged folder, which this write would otherwise
            // refill (a signal's clean-up runs on another thread, then exits).
            try InterruptCleanup.critical { try data.write(to: staging.appendingPathComponent(name)) }
        } catch {
            throw RunError.failed("cannot write \(name) in \(staging.path): \(error.localizedDescription)")
        }
    }

    /// Moves the staged folder onto the destination, replacing an earlier run's folder.
    func commit() throws {
        // Something may have been put there while the run went on.
        try Self.checkDestination(destination.path)
        do {
            try staged.commit()
        } catch {
            throw RunError.failed("cannot move the run into \(destination.path): \(error.reason)")
        }
    }

    /// Removes the staged folder after a failure.
    func discard() {
        staged.discard()
    }
}
