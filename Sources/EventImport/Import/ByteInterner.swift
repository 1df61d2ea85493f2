#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Interns byte strings (user, account and event ids) to dense indices in order of insertion.
///
/// Open addressing over one arena of bytes: no `String` or allocation per lookup, a few per thousand
/// insertions. Memory grows with the number of distinct ids, never with the number of events.
final class ByteInterner {
    @exclusivity(unchecked) private var arena: UnsafeMutablePointer<UInt8>
    @exclusivity(unchecked) private var arenaCapacity: Int
    @exclusivity(unchecked) private var arenaUsed = 0
    @exclusivity(unchecked) private var offsets = ContiguousArray<Int>()
    @exclusivity(unchecked) private var lengths = ContiguousArray<Int32>()
    /// `hash >> 32 << 32 | index + 1`, 0 for an empty slot.
    @exclusivity(unchecked) private var slots: UnsafeMutablePointer<UInt64>
    @exclusivity(unchecked) private var mask: Int

    init(expected: Int = 1024) {
        var size = 16
        while size < expected * 2 { size <<= 1 }
        mask = size - 1
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        arenaCapacity = max(expected * 12, 256)
        arena = UnsafeMutablePointer<UInt8>.allocate(capacity: arenaCapacity)
    }

    deinit {
        slots.deallocate()
        arena.deallocate()
    }

    var count: Int { offsets.count }

    /// Bytes held, for memory estimates.
    var byteCount: Int { arenaCapacity + (mask + 1) * 8 + offsets.capacity * 12 }

    @inline(__always)
    static func hash(_ s: ByteSpan) -> UInt64 {
        let raw = UnsafeRawPointer(s.base)
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: s.count)
        var i = 0
        while i + 8 <= s.count {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < s.count {
            tail |= UInt64(s.base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        h ^= h >> 29
        h = h &* 0xFF51_AFD7_ED55_8CCD
        return h ^ (h >> 32)
    }

    /// The index of `s`, or -1.
    @inline(__always)
    func find(_ s: ByteSpan) -> Int {
        find(s, hash: ByteInterner.hash(s))
    }

    @inline(__always)
    func find(_ s: ByteSpan, hash: UInt64) -> Int {
        let tag = hash & 0xFFFF_FFFF_0000_0000
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { return -1 }
            if entry & 0xFFFF_FFFF_0000_0000 == tag {
                let index = Int(entry & 0xFFFF_FFFF) - 1
                if ByteSpan(base: arena + offsets[index], count: Int(lengths[index])).equals(s) {
                    return index
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// The index of `s`, added when new.
    @inline(__always)
    func intern(_ s: ByteSpan) -> (index: Int, isNew: Bool) {
        let h = ByteInterner.hash(s)
        let found = find(s, hash: h)
        if found >= 0 { return (found, false) }
        return (insert(s, hash: h), true)
    }

    private func insert(_ s: ByteSpan, hash: UInt64) -> Int {
        if arenaUsed + s.count > arenaCapacity {
            var capacity = arenaCapacity * 2
            while arenaUsed + s.count > capacity { capacity *= 2 }
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
            grown.update(from: arena, count: arenaUsed)
            arena.deallocate()
            arena = grown
            arenaCapacity = capacity
        }
        (arena + arenaUsed).update(from: s.base, count: s.count)
        let index = offsets.count
        precondition(index < Int(UInt32.max) - 1, "too many distinct ids")
        offsets.append(arenaUsed)
        lengths.append(Int32(s.count))
        arenaUsed += s.count
        if (index + 1) * 2 > mask + 1 { grow() }
        place(hash: hash, index: index)
        return index
    }

    @inline(__always)
    private func place(hash: UInt64, index: Int) {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(index + 1)
    }

    private func grow() {
        let size = (mask + 1) * 2
        slots.deallocate()
        slots = UnsafeMutablePointer<UInt64>.allocate(capacity: size)
        slots.initialize(repeating: 0, count: size)
        mask = size - 1
        for index in 0..<offsets.count { place(hash: ByteInterner.hash(self[index]), index: index) }
    }

    /// The bytes of entry `index`; valid until the next insertion.
    @inline(__always)
    subscript(index: Int) -> ByteSpan {
        ByteSpan(base: arena + offsets[index], count: Int(lengths[index]))
    }

    func string(_ index: Int) -> String { self[index].string() }
}
