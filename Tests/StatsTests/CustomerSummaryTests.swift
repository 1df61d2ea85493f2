import Stats
import Testing

@Suite("Customer summaries for the buy-till-you-die models")
struct CustomerSummaryTests {
    @Test func validSummariesKeepTheirValues() throws {
        let customer = try CustomerSummary(x: 2, tx: 30.428571, T: 38.857143)
        #expect(customer.x == 2 && customer.tx == 30.428571 && customer.T == 38.857143)
        #expect(try CustomerSummary(x: 0, tx: 0, T: 1).x == 0)
        // A purchase on the last day of observation.
        #expect(try CustomerSummary(x: 1, tx: 5, T: 5).tx == 5)
        #expect(try CustomerSummary(x: 3.0, tx: 1, T: 2) == CustomerSummary(x: 3, tx: 1, T: 2))
    }

    @Test func inconsistentSummariesThrow() {
        let cases: [(String, () throws -> CustomerSummary)] = [
            ("x must be a whole number", { try CustomerSummary(x: 1.5, tx: 1, T: 2) }),
            ("x must be a whole number", { try CustomerSummary(x: -1, tx: 0, T: 2) }),
            ("x must be a whole number", { try CustomerSummary(x: .nan, tx: 0, T: 2) }),
            ("T must be positive", { try CustomerSummary(x: 0, tx: 0, T: 0) }),
            ("T must be positive", { try CustomerSummary(x: 0, tx: 0, T: .infinity) }),
            ("tx must lie in [0, T]", { try CustomerSummary(x: 1, tx: 3, T: 2) }),
            ("tx must lie in [0, T]", { try CustomerSummary(x: 1, tx: -1, T: 2) }),
            ("tx must be 0 when x is 0", { try CustomerSummary(x: 0, tx: 1, T: 2) }),
        ]
        for (phrase, attempt) in cases {
            let error = #expect(throws: GSLError.self, "\(phrase)") { _ = try attempt() }
            #expect(error?.code == GSLError.domain)
            #expect(error?.reason.contains(phrase) == true, "\(phrase): \(error?.reason ?? "no error")")
        }
    }

    /// The fixture: 2 357 customers, 2 457 repeat transactions, 1 411 without any (Fader, Hardie & Lee 2005 report
    /// 1 411 customers with no repeat purchase in the calibration period), observed 27 to 38.86 weeks.
    @Test func cdnowFixtureHasThePublishedShape() {
        let customers = CDNOW.customers
        #expect(customers.count == 2357)
        #expect(customers.reduce(0) { $0 + $1.x } == 2457)
        #expect(customers.filter { $0.x == 0 }.count == 1411)
        #expect(customers.map(\.T).min() == 27 && customers.map(\.T).max() == 38.857143)
    }
}
