import UsageModel

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file written under a temporary name beside its final one and renamed only when complete,
/// so an interrupted run never leaves a half log under the final name (invariant 5).
struct PartialFile {
    let finalPath: String
    /// `.<basename>.partial-<pid>` in the final path's directory: the same file system, so the
    /// rename is atomic, and hidden from a plain `ls`.
    let temporaryPath: String
    private var descriptor: Int32
    /// Removes the temporary file if the process is interrupted before commit or discard.
    private var cleanup: InterruptCleanup.Token?

    init(finalPath: String) throws {
        self.finalPath = finalPath
        let slash = finalPath.lastIndex(of: "/")
        let directory = slash.map { String(finalPath[...$0]) } ?? ""
        let base = slash.map { String(finalPath[finalPath.index(after: $0)...]) } ?? finalPath
        guard !base.isEmpty else {
            throw EventLogError.cannotCreate(path: finalPath, reason: "the path names a directory, not a file")
        }
        InterruptCleanup.removeStalePartials(named: base, in: directory)
        temporaryPath = directory + "." + base + ".partial-" + String(getpid())
        let temporary = temporaryPath
        cleanup = InterruptCleanup.register { _ = unlink(temporary) }
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            if let cleanup { InterruptCleanup.unregister(cleanup) }
            throw EventLogError.cannotCreate(path: finalPath, reason: Self.lastError())
        }
    }

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
        defer { release() }
        guard closed == 0 else {
            let reason = Self.lastError()
            unlink(temporaryPath)
            throw EventLogError.writeFailed(path: finalPath, reason: reason)
        }
        let renamed = InterruptCleanup.critical { rename(temporaryPath, finalPath) == 0 }
        guard renamed else {
            let reason = Self.lastError()
            unlink(temporaryPath)
            throw EventLogError.renameFailed(from: temporaryPath, to: finalPath, reason: reason)
        }
    }

    /// Closes the file if open and deletes it; for failed or abandoned runs.
    mutating func discard() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
        unlink(temporaryPath)
        release()
    }

    private mutating func release() {
        if let cleanup { InterruptCleanup.unregister(cleanup) }
        cleanup = nil
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
