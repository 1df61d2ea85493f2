import Foundation

/// Writes a run's files into a hidden temporary folder beside the destination and renames it into
/// place at the end, so an interrupted run leaves the previous output or none — never half of one
/// (invariant 5).
struct OutputDirectory {
    let destination: URL
    let staging: URL

    init(destination: String) throws {
        self.destination = URL(fileURLWithPath: destination).standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        staging = parent.appendingPathComponent(
            ".\(self.destination.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: parent, withIntermediateDirectories: true)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw RunError.failed("cannot create \(staging.path): \(error.localizedDescription)")
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
        do {
            if fm.fileExists(atPath: destination.path) {
                let old = destination.deletingLastPathComponent().appendingPathComponent(
                    ".\(destination.lastPathComponent).old-\(ProcessInfo.processInfo.processIdentifier)")
                try fm.moveItem(at: destination, to: old)
                try fm.moveItem(at: staging, to: destination)
                try fm.removeItem(at: old)
            } else {
                try fm.moveItem(at: staging, to: destination)
            }
        } catch {
            throw RunError.failed("cannot move the run into \(destination.path): \(error.localizedDescription)")
        }
    }

    /// Removes the staged folder after a failure.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }
}
