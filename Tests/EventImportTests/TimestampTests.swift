import Testing
import UsageModel

@testable import EventImport

@Suite("Timestamps")
struct TimestampTests {
    /// Milliseconds of a timestamp written as text.
    func ms(_ text: String) -> Int64? {
        var copy = text
        return copy.withUTF8 { Timestamp.parse(ByteSpan(base: $0.baseAddress!, count: $0.count)) }
    }

    /// The UTC day of a timestamp, as a date.
    func day(_ text: String) -> String? {
        ms(text).map { "\(CivilDate(daysSinceEpoch: Int(Timestamp.day(ofMillis: $0))))" }
    }

    // 2026-01-05T09:14:11.532Z: 20458 days after 1970-01-01, then the time of day.
    let reference: Int64 = 20458 * 86_400_000 + (9 * 3600 + 14 * 60 + 11) * 1000 + 532

    @Test func simulatorFormat() {
        #expect(ms("2026-01-05T09:14:11.532Z") == reference)
    }

    @Test func separatorsFractionsAndZones() {
        #expect(ms("2026-01-05 09:14:11.532Z") == reference)
        #expect(ms("2026-01-05t09:14:11.532z") == reference)
        #expect(ms("2026-01-05T09:14:11.532000000Z") == reference)
        #expect(ms("2026-01-05T09:14:11.5329Z") == reference)
        #expect(ms("2026-01-05T09:14:11,532Z") == reference)
        #expect(ms("2026-01-05T09:14:11Z") == reference - 532)
        #expect(ms("2026-01-05T09:14Z") == reference - 11_532)
        #expect(ms("2026-01-05T10:14:11.532+01:00") == reference)
        #expect(ms("2026-01-05T10:14:11.532+0100") == reference)
        #expect(ms("2026-01-05T10:14:11.532+01") == reference)
        #expect(ms("2026-01-05T04:44:11.532-04:30") == reference)
        #expect(ms("2026-01-05 09:14:11.532 UTC") == reference)
        #expect(ms("2026-01-05 09:14:11.532") == reference, "no zone is UTC")
    }

    @Test func offsetsMoveTheUTCDay() {
        #expect(day("2026-01-05T23:30:00-02:00") == "2026-01-06")
        #expect(day("2026-01-06T00:30:00+02:00") == "2026-01-05")
        #expect(day("2026-01-05T23:59:59.999Z") == "2026-01-05")
        #expect(day("2026-01-06T00:00:00.000Z") == "2026-01-06")
        #expect(day("2024-02-29T12:00:00Z") == "2024-02-29")
    }

    @Test func epochSecondsAndMilliseconds() {
        #expect(ms("1767604451") == (reference / 1000) * 1000)
        #expect(ms("1767604451.532") == reference)
        #expect(ms("1767604451532") == reference)
        #expect(ms("1767604451532.9") == reference, "a fraction of a millisecond is cut")
        // The threshold: above 10^11 is milliseconds.
        #expect(ms("100000000000") == 100_000_000_000_000)
        #expect(ms("100000000001") == 100_000_000_001)
        #expect(ms("0") == 0)
        #expect(ms("-86400") == -86_400_000)
        #expect(day("-1") == "1969-12-31")
    }

    @Test func invalid() {
        for text in [
            "", "yesterday", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-05T24:00:00Z",
            "2026-01-05T09:60:00Z", "2026-01-05", "2026-01-05T09:14:11.Z", "2026-01-05T09:14:11Zjunk",
            "2026-01-05T09:14:11+25:00", "2026-01-05X09:14:11Z", "1.5e9", "12abc", "0000-01-01T00:00:00Z",
            "99999999999999999999",
        ] {
            #expect(ms(text) == nil, "\(text)")
        }
    }
}
