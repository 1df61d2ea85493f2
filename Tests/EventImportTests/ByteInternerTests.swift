import Testing

@testable import EventImport

@Suite("Interning ids")
struct ByteInternerTests {
    /// Ids chosen to collide on what a slot keeps: every length from 0 to 20, ids that share their
    /// first eight bytes and differ after them or only in length, and enough of them to grow the
    /// table many times from its smallest size.
    static let ids: [String] = {
        var ids = (0...20).map { String(repeating: "a", count: $0) }
        ids += ["abcdefgh", "abcdefgi", "abcdefgh1", "abcdefgh2", "abcdefgh12", "abcdefg", "abcdefg\u{0}"]
        ids += (0..<20_000).map { "u\($0)" }
        ids += (0..<5_000).map { "user-0000-\($0)" }
        return ids
    }()

    @Test("every id gets the next index once, and is found again by its bytes; absent ids are not found")
    func denseAndFound() {
        let interner = ByteInterner(expected: 4)
        let owned = Self.ids.map(StableBytes.init)
        for (i, id) in owned.enumerated() {
            let (index, isNew) = interner.intern(id.span)
            #expect(index == i && isNew, "\(id.text)")
        }
        #expect(interner.count == Self.ids.count)
        for (i, id) in owned.enumerated() {
            #expect(interner.find(id.span) == i, "\(id.text)")
            #expect(interner.intern(id.span) == (i, false), "\(id.text)")
            #expect(interner.string(i) == id.text)
        }
        for absent in [
            "abcdefgh3", "abcdefghi", "abcdef", "u20000", "user-0000-5000", "a" + String(repeating: "a", count: 20),
        ] {
            #expect(interner.find(StableBytes(absent).span) == -1, "\(absent)")
        }
    }
}
