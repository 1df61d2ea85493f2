import Segmentation
import Testing

@Suite("Rule language: evaluation")
struct RuleLanguageTests {
    /// Each case is chosen so the wrong grouping would give the other answer.
    @Test(
        "precedence and associativity",
        arguments: [
            // a or (b and c) is true; (a or b) and c would be false.
            ("trial or milestone.setup_complete and milestone.teammate_invited", true),
            // (not a) and b is false; not (a and b) would be true.
            ("not trial and milestone.setup_complete", false),
            // not binds looser than a comparison: not (7 > 5).
            ("not key_actions_7 > 5", false),
            ("1 + 2 * 3 == 7", true),
            ("(1 + 2) * 3 == 9", true),
            ("8 - 4 - 2 == 2", true),
            ("8 / 4 / 2 == 1", true),
            ("8 - (4 - 2) == 6", true),
            ("8 / (4 / 2) == 4", true),
            // Unary minus binds tighter than binary operators: (-2) - 3, not -(2 - 3).
            ("-2 - 3 == -5", true),
            ("-key_actions_7 * 2 == -14", true),
            ("2 * -3 == -6", true),
            ("- -3 == 3", true),
            ("-(2 + 3) == -5", true),
            ("key_actions_7 - 1 > 5 and key_actions_7 / 7 == 1", true),
            // and before or on both sides: (false and x) or (true and true).
            ("trial and false or milestone.setup_complete and true", false),
            ("(trial or milestone.setup_complete) and milestone.teammate_invited", false),
        ]
    )
    func precedence(rule: String, expected: Bool) throws {
        let values: [String: Double] = [
            "trial": 1, "milestone.setup_complete": 0, "milestone.teammate_invited": 0, "key_actions_7": 7,
        ]
        #expect(try RuleFixtures.evaluate(rule, values) == expected)
    }

    @Test("short-circuit 'a and b or not c' agrees with Swift for all eight inputs, loading only what it needs")
    func shortCircuit() throws {
        let rule = try RuleFixtures.compile("trial and milestone.setup_complete or not milestone.teammate_invited")
        for bits in 0..<8 {
            let a = bits & 1 != 0
            let b = bits & 2 != 0
            let c = bits & 4 != 0
            let record = RuleTestLoader.Record()
            let loader = RuleTestLoader(
                ["trial": a ? 1 : 0, "milestone.setup_complete": b ? 1 : 0, "milestone.teammate_invited": c ? 1 : 0],
                record: record)
            #expect(rule.evaluate(loader) == (a && b || !c), "a=\(a) b=\(b) c=\(c)")
            // b is read only when a holds; c only when a and b did not decide.
            var expected = [RuleFixtures.id("trial")]
            if a { expected.append(RuleFixtures.id("milestone.setup_complete")) }
            if !(a && b) { expected.append(RuleFixtures.id("milestone.teammate_invited")) }
            #expect(record.loaded == expected, "a=\(a) b=\(b) c=\(c)")
        }
    }

    @Test(
        "choices compare option indices with ==, != and in",
        arguments: [
            ("feature.reports == habitual", "habitual", true),
            ("feature.reports == habitual", "tried", false),
            ("feature.reports != never", "tried", true),
            ("feature.reports != never", "never", false),
            ("feature.reports in (tried, habitual)", "habitual", true),
            ("feature.reports in (tried, habitual)", "never", false),
            ("not feature.reports in (never)", "tried", true),
        ]
    )
    func choices(rule: String, option: String, expected: Bool) throws {
        let value = RuleFixtures.option("feature.reports", option)
        #expect(try RuleFixtures.evaluate(rule, ["feature.reports": value]) == expected)
    }

    @Test("a choice with no value (NaN) matches no option, not even with !=")
    func choiceWithoutValue() throws {
        #expect(try !RuleFixtures.evaluate("plan == pro", ["plan": .nan]))
        #expect(try !RuleFixtures.evaluate("plan != pro", ["plan": .nan]))
        #expect(try !RuleFixtures.evaluate("plan in (free, pro, team)", ["plan": .nan]))
    }

    @Test("an index that is not one of the options equals none of them", arguments: [7.0, 1.5, -1, 3])
    func choiceOutOfRange(value: Double) throws {
        #expect(try !RuleFixtures.evaluate("plan == pro", ["plan": value]))
        #expect(try RuleFixtures.evaluate("plan != pro", ["plan": value]))
        #expect(try !RuleFixtures.evaluate("plan in (free, pro, team)", ["plan": value]))
    }

    @Test("a choice with more than 64 options keeps every option reachable by in")
    func manyOptions() throws {
        var catalog = MetricCatalog()
        let options = (0..<130).map { "o\($0)" }
        let id = catalog.add("big", .choice(options), help: "")
        let rule = try RuleCompiler.compile("big in (o0, o64, o129)", catalog: catalog)
        struct Loader: MetricLoader {
            let value: Double
            func load(_ metric: MetricID) -> Double { value }
        }
        for index in 0..<130 {
            #expect(rule.evaluate(Loader(value: Double(index))) == [0, 64, 129].contains(index), "index \(index)")
        }
        #expect(!rule.evaluate(Loader(value: 130)))
        #expect(catalog.lookup("big") == id)
    }

    @Test(
        "flags are used bare, with not, or compared with true and false",
        arguments: [
            ("trial", 1.0, true), ("trial", 0, false),
            ("not trial", 0, true), ("not trial", 1, false),
            ("trial == false", 0, true), ("trial == false", 1, false),
            ("trial == true", 1, true), ("trial != true", 1, false),
            ("trial == (1 > 0)", 1, true),
            // Any non-zero value counts as set; NaN (no value) counts as not set.
            ("trial", 2, true), ("trial == true", 2, true),
            ("trial", .nan, false), ("not trial", .nan, true),
        ]
    )
    func flags(rule: String, value: Double, expected: Bool) throws {
        #expect(try RuleFixtures.evaluate(rule, ["trial": value]) == expected)
    }

    @Test("a short-circuit jump may land on a comparison with a constant, never between the two")
    func jumpsAroundConstants() throws {
        for bits in 0..<4 {
            let a = bits & 1 != 0
            let b = bits & 2 != 0
            let values: [String: Double] = ["trial": a ? 1 : 0, "milestone.setup_complete": b ? 1 : 0]
            #expect(try RuleFixtures.evaluate("(trial and milestone.setup_complete) == true", values) == (a && b))
            #expect(try RuleFixtures.evaluate("(trial or milestone.setup_complete) != false", values) == (a || b))
            #expect(try RuleFixtures.evaluate("milestone.setup_complete == (trial and true)", values) == (b == a))
            #expect(try RuleFixtures.evaluate("milestone.setup_complete != (trial or false)", values) == (b != a))
        }
    }

    @Test("true and false are conditions on their own")
    func constants() throws {
        #expect(try RuleFixtures.evaluate("true"))
        #expect(try !RuleFixtures.evaluate("false"))
        #expect(try RuleFixtures.evaluate("not false and (true or false)"))
        #expect(try RuleFixtures.compile("true").metrics.isEmpty)
    }

    @Test(
        "NaN and division by zero make every comparison they reach false, != included",
        arguments: [
            "trend_ratio > 1", "trend_ratio < 1", "trend_ratio >= 1", "trend_ratio <= 1", "trend_ratio == 1",
            "trend_ratio != 1", "trend_ratio != trend_ratio", "trend_ratio + 1 > 0", "-trend_ratio < 0",
            "key_actions_7 / 0 > 0", "key_actions_7 / 0 < 0", "key_actions_7 / 0 != 0", "0 / 0 == 0",
            "key_actions_7 / key_actions_last_week >= 0", "key_actions_7 / (key_actions_last_week * 2) != 1",
        ]
    )
    func nanIsNeverCompared(rule: String) throws {
        let values: [String: Double] = ["trend_ratio": .nan, "key_actions_7": 5, "key_actions_last_week": 0]
        #expect(try !RuleFixtures.evaluate(rule, values))
        // The negation of a false comparison is true: a NaN ratio is "not above 1".
        #expect(try RuleFixtures.evaluate("not (\(rule))", values))
    }

    @Test("infinity (never happened) compares like a number")
    func infinity() throws {
        #expect(try RuleFixtures.evaluate("days_since_key_action >= 14", ["days_since_key_action": .infinity]))
        #expect(try !RuleFixtures.evaluate("days_since_key_action < 14", ["days_since_key_action": .infinity]))
        #expect(try RuleFixtures.evaluate("days_since_key_action != 3", ["days_since_key_action": .infinity]))
    }

    @Test("== and != compare numbers exactly")
    func exactEquality() throws {
        #expect(try !RuleFixtures.evaluate("0.1 + 0.2 == 0.3"))
        #expect(try RuleFixtures.evaluate("0.1 + 0.2 != 0.3"))
        #expect(try RuleFixtures.evaluate("account.active_seat_share == 0.25", ["account.active_seat_share": 0.25]))
    }

    @Test(
        "number literals",
        arguments: [
            "12 == 12.0", "0.3 * 10 == 3", "1e3 == 1000", "1E3 == 1000", "2.5e-1 == 0.25", "1e+2 == 100",
            "007 == 7",
        ]
    )
    func literals(rule: String) throws {
        #expect(try RuleFixtures.evaluate(rule))
    }

    @Test("the examples of the language compile and read the expected metrics")
    func examples() throws {
        let examples: [(String, [String])] = [
            ("active_days_28 >= 12 and key_actions_7 >= 20", ["active_days_28", "key_actions_7"]),
            ("feature.reports == habitual", ["feature.reports"]),
            ("milestone.teammate_invited", ["milestone.teammate_invited"]),
            ("not milestone.setup_complete and tenure_days <= 14", ["milestone.setup_complete", "tenure_days"]),
            (
                "account.active_seat_share < 0.3 or (days_since_key_action > 14 and plan != free)",
                ["account.active_seat_share", "days_since_key_action", "plan"]
            ),
            ("lifecycle in (new, resurrecting)", ["lifecycle"]),
            (
                "key_actions_this_week < 0.5 * key_actions_last_week",
                ["key_actions_this_week", "key_actions_last_week"]
            ),
        ]
        for (text, names) in examples {
            let rule = try RuleFixtures.compile(text)
            #expect(rule.source == text)
            #expect(rule.metrics == names.map(RuleFixtures.id))
        }
        let declining = try RuleFixtures.compile("key_actions_this_week < 0.5 * key_actions_last_week")
        #expect(declining.evaluate(RuleTestLoader(["key_actions_this_week": 4, "key_actions_last_week": 10])))
        #expect(!declining.evaluate(RuleTestLoader(["key_actions_this_week": 5, "key_actions_last_week": 10])))
    }

    @Test("metrics lists each metric once, in the order it first appears")
    func metricsInFirstUseOrder() throws {
        let rule = try RuleFixtures.compile(
            "plan == pro and key_actions_7 > 3 or plan != free and trial and key_actions_7 < tenure_days / 2")
        #expect(rule.metrics == ["plan", "key_actions_7", "trial", "tenure_days"].map(RuleFixtures.id))
    }

    @Test("line breaks and tabs are white space")
    func whiteSpace() throws {
        #expect(try RuleFixtures.evaluate("trial\n\tand\r\n  key_actions_7>=1", ["trial": 1, "key_actions_7": 1]))
    }

    @Test("long flat chains compile and run without deep recursion")
    func longChains() throws {
        let terms = 5_000
        let or = Array(repeating: "trial", count: terms - 1).joined(separator: " or ") + " or milestone.setup_complete"
        #expect(try RuleFixtures.evaluate(or, ["trial": 0, "milestone.setup_complete": 1]))
        let sum = Array(repeating: "1", count: terms).joined(separator: " + ") + " == \(terms)"
        #expect(try RuleFixtures.evaluate(sum))
    }

    @Test("nesting up to the limit compiles")
    func nestingAtTheLimit() throws {
        let depth = RuleCompiler.maximumDepth
        let parentheses = String(repeating: "(", count: depth) + "trial" + String(repeating: ")", count: depth)
        #expect(try RuleFixtures.evaluate(parentheses, ["trial": 1]))
        let nots = String(repeating: "not ", count: depth) + "trial"
        #expect(try RuleFixtures.evaluate(nots, ["trial": 1]) == (depth % 2 == 0))
        // Each level keeps one value on the stack: 62 levels and the innermost pair make 64.
        let stack = String(repeating: "1 + (", count: depth - 2) + "1 + 1" + String(repeating: ")", count: depth - 2)
        #expect(try RuleFixtures.evaluate(stack + " == \(depth)"))
    }
}

@Suite("Rule language: random expressions")
struct RuleRandomExpressionTests {
    @Test("compiled programs agree with direct evaluation of 2 000 random trees")
    func compiledAgreesWithTree() throws {
        var rng = RuleTestRandom(seed: 0x5E6_3E47)
        for round in 0..<2_000 {
            let tree = RuleTree.condition(depth: Int.random(in: 0...5, using: &rng), using: &rng)
            let text = tree.text(using: &rng)
            let rule = try RuleFixtures.compile(text)
            var seen: [String] = []
            for name in tree.names where !seen.contains(name) {
                seen.append(name)
            }
            #expect(rule.metrics == seen.map(RuleFixtures.id), "round \(round): \(text)")
            for _ in 0..<4 {
                let values = RuleTree.randomValues(using: &rng)
                let expected = tree.truth(values)
                #expect(
                    rule.evaluate(RuleTestLoader(values)) == expected,
                    "round \(round): \(text) with \(values) should be \(expected)")
            }
        }
    }
}
