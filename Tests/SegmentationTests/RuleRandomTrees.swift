import Segmentation

/// Random well-typed expression trees over ``RuleFixtures/catalog``, printed as rule text and
/// evaluated directly: an independent reading of the language to check the compiler against.
indirect enum RuleTree {
    /// Number literal as written, e.g. `2.5e-1`.
    case literal(String)
    case boolean(Bool)
    case number(String)
    case flag(String)
    case choice(String, equal: Bool, option: String)
    case member(String, [String])
    case negate(RuleTree)
    case not(RuleTree)
    /// `+ - * /` over numbers.
    case arithmetic(String, RuleTree, RuleTree)
    /// `< <= > >= == !=` over numbers.
    case compare(String, RuleTree, RuleTree)
    /// `==` or `!=` between two conditions.
    case same(Bool, RuleTree, RuleTree)
    case and(RuleTree, RuleTree)
    case or(RuleTree, RuleTree)

    static let numbers = ["key_actions_7", "key_actions_last_week", "tenure_days", "trend_ratio"]
    static let flags = ["trial", "milestone.setup_complete", "milestone.teammate_invited"]
    static let choices: [String: [String]] = [
        "feature.reports": ["never", "tried", "habitual"], "plan": ["free", "pro", "team"],
    ]
    static let literals = ["0", "1", "2", "3", "0.5", "12", "1e3", "2.5e-1", "0.3"]

    // MARK: Generation

    static func condition(depth: Int, using rng: inout some RandomNumberGenerator) -> RuleTree {
        if depth == 0 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return .flag(flags.randomElement(using: &rng)!)
            case 1: return .boolean(Bool.random(using: &rng))
            case 2: return choiceCondition(using: &rng)
            default: return .compare("<", number(depth: 0, using: &rng), number(depth: 0, using: &rng))
            }
        }
        let d = depth - 1
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: return .not(condition(depth: d, using: &rng))
        case 1: return .and(condition(depth: d, using: &rng), condition(depth: d, using: &rng))
        case 2: return .or(condition(depth: d, using: &rng), condition(depth: d, using: &rng))
        case 3:
            return .same(Bool.random(using: &rng), condition(depth: d, using: &rng), condition(depth: d, using: &rng))
        case 4: return choiceCondition(using: &rng)
        case 5: return condition(depth: 0, using: &rng)
        default:
            let op = ["<", "<=", ">", ">=", "==", "!="].randomElement(using: &rng)!
            return .compare(op, number(depth: d, using: &rng), number(depth: d, using: &rng))
        }
    }

    static func choiceCondition(using rng: inout some RandomNumberGenerator) -> RuleTree {
        let (metric, options) = choices.sorted { $0.key < $1.key }.randomElement(using: &rng)!
        if Bool.random(using: &rng) {
            return .choice(metric, equal: Bool.random(using: &rng), option: options.randomElement(using: &rng)!)
        }
        let picked = options.filter { _ in Bool.random(using: &rng) }
        return .member(metric, picked.isEmpty ? [options[0]] : picked)
    }

    static func number(depth: Int, using rng: inout some RandomNumberGenerator) -> RuleTree {
        if depth == 0 || Int.random(in: 0..<4, using: &rng) == 0 {
            return Bool.random(using: &rng)
                ? .literal(literals.randomElement(using: &rng)!) : .number(numbers.randomElement(using: &rng)!)
        }
        let d = depth - 1
        if Int.random(in: 0..<5, using: &rng) == 0 {
            return .negate(number(depth: d, using: &rng))
        }
        let op = ["+", "-", "*", "/"].randomElement(using: &rng)!
        return .arithmetic(op, number(depth: d, using: &rng), number(depth: d, using: &rng))
    }

    // MARK: Printing

    /// Text with the fewest parentheses the precedence table allows, plus some spare ones at random.
    func text(using rng: inout some RandomNumberGenerator) -> String {
        render(using: &rng).text
    }

    /// Levels from the grammar: or 1, and 2, not 3, comparison 4, + - 5, * / 6, unary minus 7, primary 8.
    private func render(using rng: inout some RandomNumberGenerator) -> (text: String, level: Int) {
        func operand(_ tree: RuleTree, atLeast level: Int, _ rng: inout some RandomNumberGenerator) -> String {
            let (text, own) = tree.render(using: &rng)
            return own < level || Int.random(in: 0..<10, using: &rng) == 0 ? "(" + text + ")" : text
        }
        switch self {
        case .literal(let text): return (text, 8)
        case .boolean(let value): return (value ? "true" : "false", 8)
        case .number(let name), .flag(let name): return (name, 8)
        case .choice(let metric, let equal, let option): return ("\(metric) \(equal ? "==" : "!=") \(option)", 4)
        case .member(let metric, let options): return ("\(metric) in (\(options.joined(separator: ", ")))", 4)
        case .negate(let x): return ("-" + operand(x, atLeast: 7, &rng), 7)
        case .not(let x): return ("not " + operand(x, atLeast: 3, &rng), 3)
        case .arithmetic(let op, let l, let r):
            let level = op == "+" || op == "-" ? 5 : 6
            return (operand(l, atLeast: level, &rng) + " \(op) " + operand(r, atLeast: level + 1, &rng), level)
        case .compare(let op, let l, let r):
            return (operand(l, atLeast: 5, &rng) + " \(op) " + operand(r, atLeast: 5, &rng), 4)
        case .same(let equal, let l, let r):
            return (operand(l, atLeast: 5, &rng) + (equal ? " == " : " != ") + operand(r, atLeast: 5, &rng), 4)
        case .and(let l, let r): return (operand(l, atLeast: 2, &rng) + " and " + operand(r, atLeast: 3, &rng), 2)
        case .or(let l, let r): return (operand(l, atLeast: 1, &rng) + " or " + operand(r, atLeast: 2, &rng), 1)
        }
    }

    // MARK: Direct evaluation

    /// The language's semantics stated directly: IEEE arithmetic except that dividing by zero gives
    /// NaN, every comparison with NaN is false, and a flag is set when neither 0 nor NaN.
    func truth(_ values: [String: Double]) -> Bool {
        switch self {
        case .boolean(let value): return value
        case .flag(let name):
            let v = values[name]!
            return !v.isNaN && v != 0
        case .choice(let metric, let equal, let option):
            let v = values[metric]!
            let index = Double(Self.choices[metric]!.firstIndex(of: option)!)
            return equal ? v == index : !v.isNaN && v != index
        case .member(let metric, let options):
            let v = values[metric]!
            return options.contains { Double(Self.choices[metric]!.firstIndex(of: $0)!) == v }
        case .not(let x): return !x.truth(values)
        case .and(let l, let r): return l.truth(values) && r.truth(values)
        case .or(let l, let r): return l.truth(values) || r.truth(values)
        case .same(let equal, let l, let r): return (l.truth(values) == r.truth(values)) == equal
        case .compare(let op, let l, let r):
            let a = l.value(values)
            let b = r.value(values)
            if a.isNaN || b.isNaN { return false }
            switch op {
            case "<": return a < b
            case "<=": return a <= b
            case ">": return a > b
            case ">=": return a >= b
            case "==": return a == b
            default: return a != b
            }
        case .literal, .number, .negate, .arithmetic:
            preconditionFailure("not a condition")
        }
    }

    func value(_ values: [String: Double]) -> Double {
        switch self {
        case .literal(let text): return Double(text)!
        case .number(let name): return values[name]!
        case .negate(let x): return -x.value(values)
        case .arithmetic(let op, let l, let r):
            let a = l.value(values)
            let b = r.value(values)
            switch op {
            case "+": return a + b
            case "-": return a - b
            case "*": return a * b
            default: return b == 0 ? .nan : a / b
            }
        default:
            preconditionFailure("not a number")
        }
    }

    /// Metric names in the order they appear in the text.
    var names: [String] {
        switch self {
        case .literal, .boolean: return []
        case .number(let name), .flag(let name), .choice(let name, _, _), .member(let name, _): return [name]
        case .negate(let x), .not(let x): return x.names
        case .arithmetic(_, let l, let r), .compare(_, let l, let r), .same(_, let l, let r), .and(let l, let r),
            .or(let l, let r):
            return l.names + r.names
        }
    }

    /// Values that exercise the edges: zero divisors, NaN, infinities, equal values, odd flags and
    /// choice indices outside the options.
    static func randomValues(using rng: inout some RandomNumberGenerator) -> [String: Double] {
        var values: [String: Double] = [:]
        let numberPool: [Double] = [0, 0, 1, 2, 3, 0.5, 12, -4, 1000, .nan, .infinity, -.infinity]
        for name in numbers {
            values[name] =
                Int.random(in: 0..<4, using: &rng) == 0
                ? Double.random(in: -20...20, using: &rng) : numberPool.randomElement(using: &rng)!
        }
        for name in flags {
            values[name] = [0, 1, 0, 1, .nan, 2].randomElement(using: &rng)!
        }
        for (name, options) in choices {
            values[name] =
                Int.random(in: 0..<5, using: &rng) == 0
                ? [Double.nan, 7, 1.5, -1].randomElement(using: &rng)!
                : Double(Int.random(in: 0..<options.count, using: &rng))
        }
        return values
    }
}
