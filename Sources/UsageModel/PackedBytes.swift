/// Plain numbers as little-endian bytes, for columns a file holds by the million (a shard's rows):
/// a fixed number of bytes per value, no padding, the same bytes on every machine.
public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func put<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes += $0 }
    }

    public mutating func put(_ value: Double) { put(value.bitPattern) }

    public mutating func put(_ value: Bool) { put(UInt8(value ? 1 : 0)) }
}

/// Reads what a ``ByteWriter`` wrote, in the same order.
public struct ByteReader: Sendable {
    let bytes: [UInt8]
    public private(set) var offset = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// Whether every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    public mutating func get<T: FixedWidthInteger>(_: T.Type = T.self) throws(PackedBytesError) -> T {
        let size = MemoryLayout<T>.size
        guard offset + size <= bytes.count else { throw PackedBytesError(offset: offset, needed: size) }
        var value = T.zero
        withUnsafeMutableBytes(of: &value) { raw in
            for i in 0..<size { raw[i] = bytes[offset + i] }
        }
        offset += size
        return T(littleEndian: value)
    }

    public mutating func double() throws(PackedBytesError) -> Double { Double(bitPattern: try get(UInt64.self)) }

    public mutating func bool() throws(PackedBytesError) -> Bool { try get(UInt8.self) != 0 }
}

/// Packed bytes ended before a value.
public struct PackedBytesError: Error, CustomStringConvertible {
    public let offset: Int
    public let needed: Int
    public var description: String { "packed bytes end at \(offset), \(needed) more needed" }
}
