// What the CSV and JSONL targets share: the fixed taxonomy every fuzzed log is imported with, and the per-process
// scratch file the fuzzer's bytes are written to (the importer reads files by path, and tells CSV from JSONL
// by the extension).

import EventImport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The repository's `scenarios/example-taxonomy.yaml`, read once, so that fuzzed logs whose event names
/// match it reach the interpreter (sessions, features, milestones, NPS, billing and plans) and not only the
/// "unknown event" path.
public let exampleTaxonomy: Taxonomy = {
    var root = #filePath
    for _ in 0..<4 { root = String(root[..<root.lastIndex(of: "/")!]) }  // FuzzCommon, Sources, Fuzz
    do {
        return try Taxonomy.load(path: root + "/scenarios/example-taxonomy.yaml")
    } catch {
        fatalError("the example taxonomy does not load: \(error)")
    }
}()

/// The usage-table limit given to the importer: a fuzzed time range of centuries is refused before pass 2
/// instead of being allocated.
public let fuzzMemoryLimit = 64 << 20

public enum LogFileKind: String, Sendable {
    case csv, jsonl
}

/// One scratch file per process and kind, overwritten by every input and removed at exit: in shared memory
/// where there is some, else in the temporary directory (`TMPDIR` or `/tmp`).
enum ScratchFile {
    static let directory: String = {
        if access("/dev/shm", W_OK) == 0 { return "/dev/shm" }
        if let tmp = getenv("TMPDIR"), tmp.pointee != 0 { return String(cString: tmp) }
        return "/tmp"
    }()
    static let csv = path(for: .csv)
    static let jsonl = path(for: .jsonl)

    static func path(for kind: LogFileKind) -> String {
        "\(directory)/segmentlab-fuzz-\(getpid()).\(kind.rawValue)"
    }

    static func removeAtExit() {
        atexit {
            unlink(ScratchFile.csv)
            unlink(ScratchFile.jsonl)
        }
    }

    static let registered: Void = removeAtExit()

    /// Replaces the file's content with `bytes`.
    static func store(_ bytes: UnsafeRawBufferPointer, to path: String) {
        _ = registered
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot open \(path): errno \(errno)") }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { fatalError("cannot write \(path): errno \(errno)") }
            offset += n
        }
    }
}

/// Writes `bytes` to the scratch file of `kind` and imports it with ``exampleTaxonomy``: scan, size check,
/// then the fill pass. Thrown errors are expected for most inputs and ignored; only a crash, a hang or
/// unbounded memory is a finding.
public func importLog(_ bytes: UnsafeRawBufferPointer, as kind: LogFileKind) {
    let path = kind == .csv ? ScratchFile.csv : ScratchFile.jsonl
    ScratchFile.store(bytes, to: path)
    let importer = EventLogImporter(files: [path], taxonomy: exampleTaxonomy)
    _ = try? importer.load(memoryLimit: fuzzMemoryLimit)
}
