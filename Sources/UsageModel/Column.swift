/// A fixed-size column of plain values, shared by reference.
///
/// The day loop keeps per-user state in columns (struct of arrays, invariant 6). Threads of the
/// simulator write disjoint ranges of a column at once, which a `ContiguousArray` cannot allow
/// without copying; a `Column` is one allocation made when the run starts and freed with the last
/// reference. Copies of a `Column` share storage: the owner writes, observers read.
public struct Column<Element: BitwiseCopyable>: RandomAccessCollection, @unchecked Sendable {
    @usableFromInline let storage: ColumnStorage<Element>

    @inlinable
    public init(repeating value: Element, count: Int) {
        storage = ColumnStorage(repeating: value, count: count)
    }

    @inlinable
    public init(_ values: some Collection<Element>) {
        storage = ColumnStorage(copying: values)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { storage.count }

    @inlinable
    public subscript(position: Int) -> Element {
        get {
            precondition(position >= 0 && position < storage.count, "Column index out of range")
            return storage.base[position]
        }
        nonmutating set {
            precondition(position >= 0 && position < storage.count, "Column index out of range")
            storage.base[position] = newValue
        }
    }

    /// Read access to the whole column without bounds checks per element.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Write access for the column's owner; callers on several threads must write disjoint ranges.
    @inlinable
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Element>) throws -> R) rethrows
        -> R
    {
        try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The first element's address, stable for the column's lifetime. For hot loops that have
    /// checked their indices once; every other reader should use the subscript.
    @inlinable
    public var baseAddress: UnsafeMutablePointer<Element> { storage.base }

    /// Sets every element to `value`.
    @inlinable
    public func fill(_ value: Element) {
        storage.base.update(repeating: value, count: storage.count)
    }

    /// Bytes held by the column.
    public var byteCount: Int { storage.count * MemoryLayout<Element>.stride }
}

extension Column: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) {
        self.init(elements)
    }
}

@usableFromInline
final class ColumnStorage<Element: BitwiseCopyable> {
    @usableFromInline let base: UnsafeMutablePointer<Element>
    @usableFromInline let count: Int

    @inlinable
    init(repeating value: Element, count: Int) {
        precondition(count >= 0)
        self.count = count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        base.initialize(repeating: value, count: count)
    }

    @inlinable
    init(copying values: some Collection<Element>) {
        count = values.count
        base = UnsafeMutablePointer<Element>.allocate(capacity: max(count, 1))
        var i = 0
        for v in values {
            (base + i).initialize(to: v)
            i += 1
        }
    }

    @inlinable
    deinit {
        base.deallocate()
    }
}
