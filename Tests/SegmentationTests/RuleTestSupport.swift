import Segmentation

/// A small catalog with every kind of metric, in the vocabulary of the default segments.
enum RuleFixtures {
    static let catalog: MetricCatalog = {
        var catalog = MetricCatalog()
        for name in [
            "key_actions_7", "key_actions_1", "key_actions_this_week", "key_actions_last_week", "active_days_28",
            "tenure_days", "days_since_key_action", "trend_ratio", "account.active_seat_share",
            "account.feature.reports.adoption_share",
        ] {
            catalog.add(name, .number, help: "test number")
        }
        for name in ["milestone.setup_complete", "milestone.teammate_invited", "trial"] {
            catalog.add(name, .flag, help: "test flag")
        }
        catalog.add("feature.reports", .choice(["never", "tried", "habitual"]), help: "test choice")
        catalog.add("plan", .choice(["free", "pro", "team"]), help: "test choice")
        catalog.add("lifecycle", .choice(["none", "new", "returning", "resurrecting", "dormant"]), help: "test choice")
        return catalog
    }()

    static func id(_ name: String) -> MetricID {
        guard let id = catalog.lookup(name) else { preconditionFailure("no metric \(name) in the test catalog") }
        return id
    }

    /// The option's index as the loader supplies it.
    static func option(_ metric: String, _ option: String) -> Double {
        guard case .choice(let options) = catalog[id(metric)].kind, let index = options.firstIndex(of: option) else {
            preconditionFailure("\(metric) has no option \(option)")
        }
        return Double(index)
    }

    static func compile(_ rule: String) throws(RuleError) -> CompiledRule {
        try RuleCompiler.compile(rule, catalog: catalog)
    }

    /// Compiles and evaluates with the given metrics; a metric not given is NaN.
    static func evaluate(_ rule: String, _ values: [String: Double] = [:]) throws(RuleError) -> Bool {
        try compile(rule).evaluate(RuleTestLoader(values))
    }
}

/// Metrics from a dictionary by name, NaN when missing; optionally records what evaluation loaded.
struct RuleTestLoader: MetricLoader {
    final class Record {
        var loaded: [MetricID] = []
    }

    let values: [MetricID: Double]
    let record: Record?

    init(_ values: [String: Double], record: Record? = nil) {
        self.values = Dictionary(uniqueKeysWithValues: values.map { (RuleFixtures.id($0.key), $0.value) })
        self.record = record
    }

    func load(_ metric: MetricID) -> Double {
        record?.loaded.append(metric)
        return values[metric] ?? .nan
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator so random checks repeat exactly.
struct RuleTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
