import Segmentation
import Testing

@Suite("Rule language: errors")
struct RuleErrorTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let rule: String
        let column: Int
        let message: String

        init(_ rule: String, _ column: Int, _ message: String) {
            self.rule = rule
            self.column = column
            self.message = message
        }

        var testDescription: String { rule }
    }

    private static func error(_ rule: String, catalog: MetricCatalog = RuleFixtures.catalog) -> RuleError? {
        do {
            _ = try RuleCompiler.compile(rule, catalog: catalog)
            return nil
        } catch {
            return error
        }
    }

    private static func check(_ c: Case) {
        let error = error(c.rule)
        #expect(error == RuleError(column: c.column, message: c.message), "\(c.rule)")
    }

    @Test(
        "characters that cannot start a token",
        arguments: [
            Case("key_actions_7 @ 3", 15, "unexpected character '@'"),
            Case("Key_actions_7 > 3", 1, "unexpected character 'K'; names and keywords are lowercase"),
            Case("trial AND plan == pro", 7, "unexpected character 'A'; names and keywords are lowercase"),
            Case("key_actions_7 = 3", 15, "'=' is not an operator; compare with '=='"),
            Case("!trial", 1, "'!' is not an operator; negate with 'not'"),
            Case("trial && plan == pro", 7, "'&' is not an operator; join conditions with 'and'"),
            Case("trial || plan == pro", 7, "'|' is not an operator; join conditions with 'or'"),
            Case("tenure_days > .5", 15, "unexpected character '.'"),
            Case("plan == \"pro\"", 9, "unexpected character '\"'"),
            Case("tenure_days ≤ 14", 13, "unexpected character '≤'"),
        ]
    )
    func characters(_ c: Case) { Self.check(c) }

    @Test(
        "malformed numbers and names",
        arguments: [
            Case("key_actions_7 > 1.", 19, "expected a digit after '.' in a number"),
            Case("key_actions_7 > 1e", 19, "expected a digit in the exponent of a number"),
            Case("key_actions_7 > 1e+x", 20, "expected a digit in the exponent of a number"),
            Case("7days > 2", 2, "unexpected character 'd' after the number 7"),
            Case("1.2.3 > 2", 4, "unexpected character '.' after the number 1.2"),
            Case("1e999 > 2", 1, "the number 1e999 is too large"),
            Case("feature. == tried", 9, "expected a name after '.'"),
            Case("feature..reports == tried", 9, "expected a name after '.'"),
            Case("milestone.2fa", 11, "expected a name after '.'"),
        ]
    )
    func tokens(_ c: Case) { Self.check(c) }

    @Test(
        "structure: empty, unexpected end, unclosed and stray parentheses, unexpected tokens",
        arguments: [
            Case("", 1, "the rule is empty"),
            Case("  \t ", 1, "the rule is empty"),
            Case("key_actions_7 >= 20 and", 24, "expected a value after 'and'"),
            Case("trial and   ", 13, "expected a value after 'and'"),
            Case("not", 4, "expected a value after 'not'"),
            Case("key_actions_7 >", 16, "expected a value after '>'"),
            Case("(key_actions_7 > 3 and trial", 1, "'(' is never closed"),
            Case("trial and (plan == pro or (trial)", 11, "'(' is never closed"),
            Case("plan in (free, pro", 9, "'(' is never closed"),
            Case("key_actions_7 > 3)", 18, "')' has no matching '('"),
            Case("key_actions_7 > 3 trial", 19, "expected an operator before 'trial'"),
            Case("trial (plan == pro)", 7, "expected an operator before '('"),
            Case("key_actions_7 > and", 17, "expected a value after '>' but found 'and'"),
            Case(") or trial", 1, "expected a value but found ')'"),
            Case("trial and ()", 12, "expected a value after '(' but found ')'"),
            Case("(key_actions_7 > 3 trial)", 20, "expected ')' for the '(' at column 1 but found 'trial'"),
            Case("key_actions_7 + not trial", 17, "'not' cannot follow '+'; put 'not …' in parentheses"),
            Case("trial == not trial", 10, "'not' cannot follow '=='; put 'not …' in parentheses"),
            Case("plan in free", 9, "expected '(' after 'in' but found 'free'"),
            Case("plan in", 8, "expected '(' after 'in'"),
            Case("plan in ()", 10, "expected an option name after '(' but found ')'"),
            Case("plan in (free,)", 15, "expected an option name after ',' but found ')'"),
            Case("plan in (free pro)", 15, "expected ',' or ')' after 'free' but found 'pro'"),
        ]
    )
    func structure(_ c: Case) { Self.check(c) }

    static let chain = "comparisons do not chain; join them with 'and', as in 'a < b and b < c'"

    @Test(
        "comparisons do not chain",
        arguments: [
            Case("1 < key_actions_7 < 3", 19, chain),
            Case("plan == pro == trial", 13, chain),
            Case("plan in (pro) == trial", 15, chain),
            Case("tenure_days > 3 in (pro)", 17, chain),
        ]
    )
    func chained(_ c: Case) { Self.check(c) }

    @Test(
        "unknown names, with a suggestion only when one is close",
        arguments: [
            Case("key_action_7 >= 20", 1, "unknown metric 'key_action_7'; did you mean 'key_actions_7'?"),
            Case("trial and trail", 11, "unknown metric 'trail'; did you mean 'trial'?"),
            // A transposition is one edit.
            Case(
                "milestone.setup_compelte", 1,
                "unknown metric 'milestone.setup_compelte'; did you mean 'milestone.setup_complete'?"),
            // Names longer than 12 characters allow 3 edits; shorter ones 2.
            Case(
                "accnt.active_seat_shar < 0.3", 1,
                "unknown metric 'accnt.active_seat_shar'; did you mean 'account.active_seat_share'?"),
            Case("tnur_dys < 14", 1, "unknown metric 'tnur_dys'"),
            Case("acct.active_seat_shar < 0.3", 1, "unknown metric 'acct.active_seat_shar'"),
            Case("revenue > 100", 1, "unknown metric 'revenue'"),
            // An option is not a metric on its own.
            Case("habitual", 1, "unknown metric 'habitual'"),
            Case(
                "feature.reports == habitaul", 20,
                "unknown option 'habitaul' for 'feature.reports'; did you mean 'habitual'?"),
            // Unrestricted Damerau–Levenshtein: swap "ri" and insert between them, 2 edits (3 without).
            Case(
                "feature.reports == tiered", 20,
                "unknown option 'tiered' for 'feature.reports'; did you mean 'tried'?"),
            Case(
                "lifecycle in (new, resurecting)", 20,
                "unknown option 'resurecting' for 'lifecycle'; did you mean 'resurrecting'?"),
            Case("plan != enterprise", 9, "unknown option 'enterprise' for 'plan'; its options are free, pro, team"),
            Case("plan == trial", 9, "unknown option 'trial' for 'plan'; its options are free, pro, team"),
        ]
    )
    func unknownNames(_ c: Case) { Self.check(c) }

    @Test(
        "types",
        arguments: [
            Case("key_actions_7", 1, "a condition must be true or false, but 'key_actions_7' is a number"),
            Case(
                "key_actions_7 + 1 and trial", 1,
                "a condition must be true or false, but 'key_actions_7 + 1' is a number"),
            Case("trial or (3)", 10, "a condition must be true or false, but '(3)' is a number"),
            Case("not tenure_days", 5, "a condition must be true or false, but 'tenure_days' is a number"),
            Case(
                "feature.reports", 1,
                "'feature.reports' is a choice (never, tried, habitual); compare it with == or != or in"),
            Case(
                "feature.reports > 1", 1,
                "'feature.reports' is a choice (never, tried, habitual); compare it with == or != or in"),
            Case("trial and plan", 11, "'plan' is a choice (free, pro, team); compare it with == or != or in"),
            Case("key_actions_7 == plan", 18, "'plan' is a choice (free, pro, team); compare it with == or != or in"),
            Case(
                "plan == 1", 9,
                "'plan' is a choice (free, pro, team); compare it with one of its options, as in 'plan == free'"),
            Case(
                "milestone.setup_complete + 1 > 2", 1,
                "'milestone.setup_complete' is a flag and cannot be used in arithmetic"),
            Case("-trial", 2, "'trial' is a flag and cannot be used in arithmetic"),
            Case("(tenure_days > 3) * 2 > 1", 1, "'(tenure_days > 3)' is a condition and cannot be used in arithmetic"),
            Case(
                "trial < 1", 1,
                "'trial' is a flag and cannot be compared with '<'; use it bare or with == true or false"),
            Case(
                "3 >= true", 6,
                "'true' is a condition and cannot be compared with '>='; use it bare or with == true or false"),
            Case(
                "key_actions_7 == trial", 18,
                "'==' compares two numbers or two conditions, but 'key_actions_7' is a number and 'trial' is a flag"),
            Case(
                "trial != 1", 10,
                "'!=' compares two numbers or two conditions, but 'trial' is a flag and '1' is a number"),
            Case("key_actions_7 in (free)", 1, "'in' needs a choice on its left, but 'key_actions_7' is a number"),
            Case("trial in (free)", 1, "'in' needs a choice on its left, but 'trial' is a flag"),
            // The leftmost problem is reported first.
            Case(
                "feature.reports + unknown_metric > 1", 1,
                "'feature.reports' is a choice (never, tried, habitual); compare it with == or != or in"),
        ]
    )
    func types(_ c: Case) { Self.check(c) }

    @Test("long expressions are shortened in messages")
    func longQuote() {
        let rule = "key_actions_7 + key_actions_last_week + tenure_days + active_days_28"
        #expect(
            Self.error(rule)?.message
                == "a condition must be true or false, but 'key_actions_7 + key_actions_last_week...' is a number")
    }

    @Test("ties between suggestions go to the catalog's order")
    func suggestionTies() {
        var first = MetricCatalog()
        first.add("key_actions_7", .number, help: "")
        first.add("key_actions_1", .number, help: "")
        var second = MetricCatalog()
        second.add("key_actions_1", .number, help: "")
        second.add("key_actions_7", .number, help: "")
        #expect(
            Self.error("key_actions_2 > 1", catalog: first)?.message
                == "unknown metric 'key_actions_2'; did you mean 'key_actions_7'?")
        #expect(
            Self.error("key_actions_2 > 1", catalog: second)?.message
                == "unknown metric 'key_actions_2'; did you mean 'key_actions_1'?")
        // A closer name wins whatever its place.
        #expect(
            Self.error("key_actions_11 > 1", catalog: first)?.message
                == "unknown metric 'key_actions_11'; did you mean 'key_actions_1'?")
    }

    @Test("nesting deeper than the limit is rejected where it goes too deep")
    func tooDeep() {
        let limit = RuleCompiler.maximumDepth
        let parentheses = String(repeating: "(", count: limit + 1) + "trial" + String(repeating: ")", count: limit + 1)
        #expect(
            Self.error(parentheses)
                == RuleError(column: limit + 1, message: "parentheses, 'not' and '-' nest more than 64 deep"))
        let nots = String(repeating: "not ", count: limit + 1) + "trial"
        #expect(
            Self.error(nots)
                == RuleError(column: 4 * limit + 1, message: "parentheses, 'not' and '-' nest more than 64 deep"))
        // Within the nesting limit but one value too many: 63 levels and the innermost pair need 65.
        let prefix = String(repeating: "1 + (", count: limit - 1)
        let stack = prefix + "1 + 1" + String(repeating: ")", count: limit - 1) + " == 0"
        #expect(
            Self.error(stack)
                == RuleError(
                    column: prefix.count + 5,
                    message: "the rule is too deeply nested: evaluating it needs more than 64 values at once"))
    }

    @Test("a hostile rule is an error, not a crash")
    func hostile() {
        #expect(Self.error(String(repeating: "(", count: 100_000))?.column == 65)
        #expect(Self.error(String(repeating: "-", count: 100_000) + "1 > 0")?.column == 65)
    }

    @Test("the description leads with the column")
    func description() {
        let error = Self.error("key_action_7 >= 20 and trial")
        #expect(error?.description == "column 1: unknown metric 'key_action_7'; did you mean 'key_actions_7'?")
        #expect(RuleError(column: 9, message: "x").description == "column 9: x")
    }
}
