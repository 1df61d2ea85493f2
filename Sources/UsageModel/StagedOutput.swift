import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output written under a hidden name beside its destination and renamed into place only when
/// complete, so a failed or interrupted run leaves the previous output, or none, never half of one
/// (invariant 5). The event log is staged as a file, a run's results as a folder.
///
/// The staged copy is `.<name>.partial-<pid>` in the destination's directory: the same file system,
/// so the rename is atomic, and hidden from a plain `ls`. From ``init(name:in:kind:)`` until
/// ``commit()`` or ``discard()`` its removal is registered with ``InterruptCleanup``, and the rename
/// runs inside ``InterruptCleanup/critical(_:)``, so an interrupt sees it before or after, never
/// halfway. Creating and writing the staged copy is the caller's.
public struct StagedOutput: Sendable {
    public enum Kind: Sendable {
        /// Renamed onto the destination with one `rename(2)`, which replaces a file there.
        case file
        /// A folder cannot be renamed onto a folder that holds anything: an earlier output at the
        /// destination is moved aside to `.<name>.old-<pid>`, the staged folder renamed into place,
        /// and the old one removed.
        case folder
    }

    /// Why the staged copy could not be put in place, in the system's words.
    public struct Failure: Error, Sendable {
        public let reason: String
    }

    public let kind: Kind
    /// The final path: `name` in `directory`.
    public let destination: String
    /// Where the output is written until ``commit()``.
    public let staging: String
    private let directory: String
    private let name: String
    private let cleanup: InterruptCleanup.Token

    /// Names the staged copy and registers its removal for an interrupt; nothing is created.
    ///
    /// - Parameters:
    ///   - name: The destination's last path component.
    ///   - directory: The folder that holds it; empty for the current folder.
    public init(name: String, in directory: String, kind: Kind) {
        self.kind = kind
        self.name = name
        self.directory = directory
        destination = Self.path(name, in: directory)
        staging = Self.path(Self.leftoverPrefix(name, "partial") + String(getpid()), in: directory)
        let staging = staging
        cleanup = InterruptCleanup.register { try? FileManager.default.removeItem(atPath: staging) }
    }

    /// Clears what killed runs left for this destination: their staged copies are removed, and a folder
    /// moved aside just before a kill is put back if nothing replaced it (else removed). Entries of
    /// processes still running are left alone.
    ///
    /// - Throws: The first error of a removal or move, after trying every entry.
    public func removeLeftovers() throws {
        let fm = FileManager.default
        var firstError: (any Error)?
        let kinds = kind == .folder ? ["partial", "old"] : ["partial"]
        for entry in (try? fm.contentsOfDirectory(atPath: directory.isEmpty ? "." : directory)) ?? [] {
            for kind in kinds {
                let prefix = Self.leftoverPrefix(name, kind)
                guard entry.hasPrefix(prefix), let pid = Int32(entry.dropFirst(prefix.count)),
                    !InterruptCleanup.isRunning(pid)
                else {
                    continue
                }
                let path = Self.path(entry, in: directory)
                do {
                    if kind == "old", !fm.fileExists(atPath: destination) {
                        try fm.moveItem(atPath: path, toPath: destination)
                    } else {
                        try fm.removeItem(atPath: path)
                    }
                } catch {
                    firstError = firstError ?? error
                }
            }
        }
        if let firstError { throw firstError }
    }

    /// Renames the staged copy onto the destination (see ``Kind``). On failure the staged copy is
    /// removed; either way it is no longer registered for an interrupt.
    public func commit() throws(Failure) {
        defer { InterruptCleanup.unregister(cleanup) }
        do {
            try InterruptCleanup.critical { () throws(Failure) in try moveIntoPlace() }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
    }

    /// Removes the staged copy, for a failed or abandoned output.
    public func discard() {
        try? FileManager.default.removeItem(atPath: staging)
        InterruptCleanup.unregister(cleanup)
    }

    private func moveIntoPlace() throws(Failure) {
        switch kind {
        case .file:
            guard rename(staging, destination) == 0 else {
                throw Failure(reason: String(cString: strerror(errno)))
            }
        case .folder:
            let fm = FileManager.default
            do {
                if fm.fileExists(atPath: destination) {
                    let old = Self.path(Self.leftoverPrefix(name, "old") + String(getpid()), in: directory)
                    try fm.moveItem(atPath: destination, toPath: old)
                    try fm.moveItem(atPath: staging, toPath: destination)
                    try fm.removeItem(atPath: old)
                } else {
                    try fm.moveItem(atPath: staging, toPath: destination)
                }
            } catch {
                throw Failure(reason: error.localizedDescription)
            }
        }
    }

    /// `.<name>.<kind>-`, followed by a process id.
    private static func leftoverPrefix(_ name: String, _ kind: String) -> String {
        ".\(name).\(kind)-"
    }

    private static func path(_ entry: String, in directory: String) -> String {
        directory.isEmpty || directory.hasSuffix("/") ? directory + entry : directory + "/" + entry
    }
}
