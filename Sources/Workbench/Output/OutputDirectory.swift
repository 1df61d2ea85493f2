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
            try Self.recover(self.destination)
            if fm.fileExists(atPath: staging.path) { try fm.removeItem(at: staging) }
            try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        } catch {
            throw RunError.failed("cannot create \(staging.path): \(error.localizedDescription)")
        }
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
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)), !isRunning(pid) else {
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

    static func isRunning(_ pid: Int32) -> Bool {
        pid == ProcessInfo.processInfo.processIdentifier || kill(pid, 0) == 0 || errno == EPERM
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
