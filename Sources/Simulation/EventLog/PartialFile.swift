import UsageModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The event log's file, written under a temporary name beside its final one and renamed only when
/// complete (a ``StagedOutput``), so an interrupted run never leaves a half log under the final name
/// (invariant 5).
struct PartialFile {
    let finalPath: String
    private let staged: StagedOutput
    private var descriptor: Int32

    init(finalPath: String) throws {
        self.finalPath = finalPath
        let slash = finalPath.lastIndex(of: "/")
        let directory = slash.map { String(finalPath[...$0]) } ?? ""
        let base = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        guard !base.isEmpty else {
            throw EventLogError.cannotCreate(path: finalPath, reason: "the path names a directory, not a file")
        }
        staged = StagedOutput(name: base, in: directory, kind: .file)
        // A leftover that cannot be removed does not keep a new log from being written.
        try? staged.removeLeftovers()
        descriptor = open(staged.staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let reason = Self.lastError()
            staged.discard()
            throw EventLogError.cannotCreate(path: finalPath, reason: reason)
        }
    }

    /// `.<basename>.partial-<pid>` in the final path's directory, until ``commit()``.
    var temporaryPath: String { staged.staging }

    var isOpen: Bool { descriptor >= 0 }

    /// Writes all `count` bytes, retrying short writes and interrupted calls.
    func write(_ bytes: UnsafePointer<UInt8>, count: Int) throws {
        var done = 0
        while done < count {
            #if canImport(Glibc)
                let r = Glibc.write(descriptor, bytes + done, count - done)
            #else
                let r = Darwin.write(descriptor, bytes + done, count - done)
            #endif
            if r < 0 {
                if errno == EINTR { continue }
                throw EventLogError.writeFailed(path: finalPath, reason: Self.lastError())
            }
            done += r
        }
    }

    /// Closes the file and renames it onto the final path.
    mutating func commit() throws {
        let closed = close(descriptor)
        descriptor = -1
        guard closed == 0 else {
            let reason = Self.lastError()
            staged.discard()
            throw EventLogError.writeFailed(path: finalPath, reason: reason)
        }
        do {
            try staged.commit()
        } catch {
            throw EventLogError.renameFailed(from: temporaryPath, to: finalPath, reason: error.reason)
        }
    }

    /// Closes the file if open and deletes it; for failed or abandoned runs.
    mutating func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        staged.discard()
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
