import Segmentation
import Testing

@Suite("Metric catalog")
struct MetricCatalogTests {
    @Test("names map to ids in declaration order and back")
    func lookup() {
        var catalog = MetricCatalog()
        let a = catalog.add("key_actions_7", .number, help: "key actions in the last 7 days")
        let b = catalog.add("feature.reports", .choice(["never", "tried", "habitual"]), help: "adoption of reports")
        #expect(catalog.lookup("key_actions_7") == a)
        #expect(catalog.lookup("feature.reports") == b)
        #expect(catalog.lookup("key_actions_28") == nil)
        #expect(catalog[b].kind == .choice(["never", "tried", "habitual"]))
        #expect(catalog.names == ["key_actions_7", "feature.reports"])
    }
}
