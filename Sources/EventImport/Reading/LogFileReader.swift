#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file read with `read(2)` in large chunks into one fixed buffer that holds the record being parsed.
///
/// The buffer holds the longest allowed record plus one chunk, so memory does not depend on the file;
/// a longer line is skipped chunk by chunk without being held.
final class LogFileReader {
    let path: String
    private let fd: Int32
    let buffer: UnsafeMutablePointer<UInt8>
    let capacity: Int
    let chunk: Int
    /// The unparsed bytes are `buffer[start..<end]`.
    @exclusivity(unchecked) var start = 0
    @exclusivity(unchecked) var end = 0
    @exclusivity(unchecked) private(set) var atEOF = false
    @exclusivity(unchecked) private(set) var bytesRead = 0
    /// Told the bytes read so far after every chunk (the import's progress line).
    var onRead: ((Int) -> Void)?
    /// Where in the file reading began.
    let origin: Int

    /// A reader of the file from byte `origin` on.
    init(path: String, maxRecord: Int, chunk: Int = 1 << 20, from origin: Int = 0) throws(EventImportError) {
        self.path = path
        self.chunk = chunk
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw .cannotOpen(path: path, reason: "is a directory")
        }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: String(cString: strerror(errno))) }
        if origin > 0 && lseek(fd, off_t(origin), SEEK_SET) != off_t(origin) {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw .readFailed(path: path, reason: reason)
        }
        self.fd = fd
        self.origin = origin
        capacity = maxRecord + 1 + chunk
        buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity + 8)
    }

    deinit {
        close(fd)
        buffer.deallocate()
    }

    var available: Int { end - start }

    /// The offset in the file of the first unparsed byte.
    var position: Int { origin + bytesRead - available }

    /// Moves the unparsed bytes to the front and reads one more chunk; false at the end of the file.
    @discardableResult
    func refill() throws(EventImportError) -> Bool {
        if atEOF { return false }
        if start > 0 {
            if end > start { memmove(buffer, buffer + start, end - start) }
            end -= start
            start = 0
        }
        let room = min(chunk, capacity - end)
        precondition(room > 0, "record buffer full")
        while true {
            let n = read(fd, buffer + end, room)
            if n > 0 {
                end += n
                bytesRead += n
                onRead?(bytesRead)
                return true
            }
            if n == 0 {
                atEOF = true
                return false
            }
            if errno == EINTR { continue }
            throw .readFailed(path: path, reason: String(cString: strerror(errno)))
        }
    }

    /// Drops everything buffered and reads on to just past the next line feed, holding one chunk at a
    /// time. Returns false when the file ends first.
    func discardThroughLineFeed() throws(EventImportError) -> Bool {
        while true {
            if let k = lineFeed(from: start) {
                start = k + 1
                return true
            }
            start = end
            if !(try refill()) { return false }
        }
    }

    /// Index of the first line feed in `buffer[from..<end]`.
    @inline(__always)
    func lineFeed(from: Int) -> Int? {
        guard from < end, let hit = memchr(buffer + from, 0x0A, end - from) else { return nil }
        return buffer.distance(to: hit.assumingMemoryBound(to: UInt8.self))
    }

    /// Skips a UTF-8 byte-order mark at the start of the file.
    func skipByteOrderMark() throws(EventImportError) {
        while available < 3 && !atEOF { try refill() }
        if available >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
            start += 3
        }
    }
}
