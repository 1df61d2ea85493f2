import UsageModel

/// Resolves names, checks types and emits instructions in one left-to-right walk, so the first
/// problem reported is the leftmost one the walk meets.
struct RuleCodeGenerator {
    /// What a subexpression leaves on the stack.
    enum ValueType: Equatable {
        case number
        /// 0 or 1: flags, comparisons, `true`/`false`, `and`/`or`/`not`.
        case condition
        /// An option index; only `==`, `!=` and `in` with option names may consume it.
        case choice([String])
    }

    let catalog: MetricCatalog
    let source: [Character]
    private(set) var code: [RuleInstruction] = []
    private(set) var sets: [UInt64] = []
    private(set) var metrics: [MetricID] = []
    private(set) var stackSize = 0
    private var depth = 0

    init(catalog: MetricCatalog, source: [Character]) {
        self.catalog = catalog
        self.source = source
    }

    /// Emits `node`, which must be true or false.
    mutating func condition(_ node: RuleSyntax) throws(RuleError) {
        switch try generate(node) {
        case .condition:
            return
        case .number:
            throw RuleError(
                column: node.column, message: "a condition must be true or false, but '\(quote(node))' is a number")
        case .choice(let options):
            throw misusedChoice(node, options)
        }
    }

    private enum NumberUse {
        case arithmetic
        case comparison(RuleSyntax.ComparisonOperator)
    }

    /// Emits `node`, which must be a number.
    private mutating func number(_ node: RuleSyntax, for use: NumberUse) throws(RuleError) {
        switch try generate(node) {
        case .number:
            return
        case .condition:
            let what = describe(node, .condition)
            switch use {
            case .arithmetic:
                throw RuleError(column: node.column, message: "\(what) and cannot be used in arithmetic")
            case .comparison(let op):
                throw RuleError(
                    column: node.column,
                    message:
                        "\(what) and cannot be compared with '\(op.rawValue)'; use it bare or with == true or false")
            }
        case .choice(let options):
            throw misusedChoice(node, options)
        }
    }

    private mutating func generate(_ node: RuleSyntax) throws(RuleError) -> ValueType {
        switch node.kind {
        case .number(let value):
            try emit(.constant(value), pushing: 1, at: node)
            return .number
        case .boolean(let value):
            try emit(.constant(value ? 1 : 0), pushing: 1, at: node)
            return .condition
        case .name(let name):
            let id = try metric(name, at: node)
            switch catalog[id].kind {
            case .number:
                try emit(.load(id), pushing: 1, at: node)
                return .number
            case .flag:
                try emit(.loadFlag(id), pushing: 1, at: node)
                return .condition
            case .choice(let options):
                try emit(.load(id), pushing: 1, at: node)
                return .choice(options)
            }
        case .negate(let operand):
            if case .number(let value) = operand.kind {
                try emit(.constant(-value), pushing: 1, at: node)
            } else {
                try number(operand, for: .arithmetic)
                try emit(.negate, pushing: 0, at: node)
            }
            return .number
        case .not(let operand):
            try condition(operand)
            try emit(.not, pushing: 0, at: node)
            return .condition
        case .logic(let op, let operands):
            var jumps: [Int] = []
            for operand in operands.dropLast() {
                try condition(operand)
                jumps.append(code.count)
                try emit(op == .and ? .jumpIfFalseElsePop(0) : .jumpIfTrueElsePop(0), pushing: -1, at: node)
            }
            try condition(operands[operands.count - 1])
            let end = Int32(code.count)
            for jump in jumps {
                code[jump] = op == .and ? .jumpIfFalseElsePop(end) : .jumpIfTrueElsePop(end)
            }
            return .condition
        case .arithmetic(let first, let rest):
            try number(first, for: .arithmetic)
            for (op, operand) in rest {
                try number(operand, for: .arithmetic)
                let instruction: RuleInstruction =
                    switch op {
                    case .add: .add
                    case .subtract: .subtract
                    case .multiply: .multiply
                    case .divide: .divide
                    }
                try emit(instruction, pushing: -1, at: node)
            }
            return .number
        case .comparison(let op, let left, let right):
            try comparison(op, left, right, at: node)
            return .condition
        case .membership(let left, let options):
            let type = try generate(left)
            guard case .choice(let names) = type else {
                throw RuleError(
                    column: left.column, message: "'in' needs a choice on its left, but \(describe(left, type))")
            }
            var bits = [UInt64](repeating: 0, count: max(1, (names.count + 63) / 64))
            for option in options {
                let index = try self.option(option.name, at: option.span, of: left, names)
                bits[index >> 6] |= 1 << UInt64(index & 63)
            }
            let first = Int32(sets.count)
            sets += bits
            try emit(.member(first: first, words: Int32(bits.count)), pushing: 0, at: node)
            return .condition
        }
    }

    private mutating func comparison(
        _ op: RuleSyntax.ComparisonOperator, _ left: RuleSyntax, _ right: RuleSyntax, at node: RuleSyntax
    ) throws(RuleError) {
        let leftType: ValueType
        if op == .equal || op == .notEqual {
            leftType = try generate(left)
        } else {
            try number(left, for: .comparison(op))
            leftType = .number
        }
        if case .choice(let options) = leftType {
            guard case .name(let name) = right.kind else {
                let example = options.first.map { ", as in '\(quote(left)) \(op.rawValue) \($0)'" } ?? ""
                throw RuleError(
                    column: right.column,
                    message: "'\(quote(left))' is a choice (\(list(options))); "
                        + "compare it with one of its options\(example)")
            }
            let index = try option(name, at: right.span, of: left, options)
            try emit(Self.comparison(op, constant: Double(index)), pushing: 0, at: node)
            return
        }
        if let (value, type) = Self.literal(right), type == leftType {
            try emit(Self.comparison(op, constant: value), pushing: 0, at: node)
            return
        }
        if op == .equal || op == .notEqual {
            let rightType = try generate(right)
            if case .choice(let options) = rightType {
                throw misusedChoice(right, options)
            }
            if rightType != leftType {
                throw RuleError(
                    column: right.column,
                    message: "'\(op.rawValue)' compares two numbers or two conditions, but "
                        + "\(describe(left, leftType)) and \(describe(right, rightType))")
            }
        } else {
            try number(right, for: .comparison(op))
        }
        try emit(Self.comparison(op, constant: nil), pushing: -1, at: node)
    }

    /// A literal right operand is folded into the comparison; only its own node qualifies, never an
    /// expression ending in one, so no jump can target the position between them.
    private static func literal(_ node: RuleSyntax) -> (Double, ValueType)? {
        switch node.kind {
        case .number(let value): (value, .number)
        case .boolean(let value): (value ? 1 : 0, .condition)
        case .negate(let operand): if case .number(let value) = operand.kind { (-value, .number) } else { nil }
        default: nil
        }
    }

    private static func comparison(_ op: RuleSyntax.ComparisonOperator, constant: Double?) -> RuleInstruction {
        guard let b = constant else {
            switch op {
            case .less: return .less
            case .lessEqual: return .lessEqual
            case .greater: return .greater
            case .greaterEqual: return .greaterEqual
            case .equal: return .equal
            case .notEqual: return .notEqual
            }
        }
        switch op {
        case .less: return .lessConstant(b)
        case .lessEqual: return .lessEqualConstant(b)
        case .greater: return .greaterConstant(b)
        case .greaterEqual: return .greaterEqualConstant(b)
        case .equal: return .equalConstant(b)
        case .notEqual: return .notEqualConstant(b)
        }
    }

    /// Appends an instruction and tracks the stack, refusing rules that would need more than the fixed maximum.
    private mutating func emit(_ instruction: RuleInstruction, pushing change: Int, at node: RuleSyntax)
        throws(RuleError)
    {
        code.append(instruction)
        depth += change
        if depth > RuleCompiler.maximumDepth {
            throw RuleError(
                column: node.column,
                message: "the rule is too deeply nested: evaluating it needs more than "
                    + "\(RuleCompiler.maximumDepth) values at once")
        }
        stackSize = max(stackSize, depth)
    }

    private mutating func metric(_ name: String, at node: RuleSyntax) throws(RuleError) -> MetricID {
        guard let id = catalog.lookup(name) else {
            if let reason = catalog.reasonWithheld(name) {
                throw RuleError(column: node.column, message: "'\(name)' \(reason)")
            }
            let suggestion = NameSuggestion.nearest(to: name, among: catalog.entries.lazy.map(\.name))
            throw RuleError(column: node.column, message: "unknown metric '\(name)'" + Self.didYouMean(suggestion))
        }
        if !metrics.contains(id) {
            metrics.append(id)
        }
        return id
    }

    private func option(
        _ name: String, at span: Range<Int>, of choice: RuleSyntax, _ options: [String]
    ) throws(RuleError) -> Int {
        if let index = options.firstIndex(of: name) {
            return index
        }
        let message = "unknown option '\(name)' for '\(quote(choice))'"
        if let suggestion = NameSuggestion.nearest(to: name, among: options) {
            throw RuleError(column: span.lowerBound + 1, message: message + Self.didYouMean(suggestion))
        }
        throw RuleError(column: span.lowerBound + 1, message: message + "; its options are \(list(options))")
    }

    private func misusedChoice(_ node: RuleSyntax, _ options: [String]) -> RuleError {
        RuleError(
            column: node.column,
            message: "'\(quote(node))' is a choice (\(list(options))); compare it with == or != or in")
    }

    /// "'trial' is a flag", "'a > b' is a condition", "'x + 1' is a number".
    private func describe(_ node: RuleSyntax, _ type: ValueType) -> String {
        let kind =
            switch type {
            case .number: "a number"
            case .choice: "a choice"
            case .condition: if case .name = node.kind { "a flag" } else { "a condition" }
            }
        return "'\(quote(node))' is \(kind)"
    }

    /// The node's text, shortened so a message stays on one line.
    private func quote(_ node: RuleSyntax) -> String {
        let text = String(source[node.span])
        return text.count <= 40 ? text : String(text.prefix(37)) + "..."
    }

    private func list(_ options: [String]) -> String {
        options.isEmpty ? "no options" : options.joined(separator: ", ")
    }

    private static func didYouMean(_ suggestion: String?) -> String {
        suggestion.map { "; did you mean '\($0)'?" } ?? ""
    }
}
