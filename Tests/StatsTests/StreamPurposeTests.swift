import Stats
import Testing

/// Invariant 1 rests on every purpose drawing its own numbers.
@Suite("Random stream purposes")
struct StreamPurposeTests {
    /// The ASCII spelling of each purpose's value: a change would change every run's numbers.
    @Test("each purpose's value spells its name and is pinned", arguments: StreamPurpose.allCases)
    func pinned(_ purpose: StreamPurpose) {
        var value = purpose.rawValue
        var letters = ""
        while value > 0 {
            letters = String(UnicodeScalar(UInt8(value & 0xFF))) + letters
            value >>= 8
        }
        let expected: [StreamPurpose: String] = [
            .population: "POPULA", .emission: "EMISSI", .commerce: "COMMER", .transition: "TRANSI", .arm: "ARMASS",
            .consent: "CONSEN", .send: "SENDIN", .events: "EVENTS", .duplicates: "DUPIDS", .messageIDs: "MESSID",
            .predictionSplit: "SPLIT", .churnForecast: "ORACLE", .survey: "SURVEY", .modelSimulation: "HMMSIM",
            .fitStart: "EMSTRT", .bootstrap: "BOOTST",
        ]
        #expect(expected.count == StreamPurpose.allCases.count)
        #expect(letters == expected[purpose])
    }

    @Test("no two purposes give the same stream for any of 10 000 (seed, user, day) keys")
    func distinctStreams() {
        var rng = SplitMix64(seed: 7)
        var collisions = 0
        for _ in 0..<10_000 {
            let seed = rng.next()
            let user = rng.next() % 10_000_000
            let day = rng.next() % 3650
            let keys = StreamPurpose.allCases.map { StreamKey.derive(seed, $0, user, day) }
            collisions += keys.count - Set(keys).count
        }
        #expect(collisions == 0)
    }
}
