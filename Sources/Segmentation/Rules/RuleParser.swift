/// Recursive descent over the precedence levels, lowest first:
/// `or` < `and` < `not` < comparison < `+ -` < `* /` < unary `-` < primary.
struct RuleParser {
    private let tokens: [RuleToken]
    private var position = 0
    /// Parentheses and prefix operators currently open; bounded so a hostile rule cannot exhaust the stack.
    private var nesting = 0

    private init(_ tokens: [RuleToken]) {
        self.tokens = tokens
    }

    static func parse(_ tokens: [RuleToken]) throws(RuleError) -> RuleSyntax {
        var parser = RuleParser(tokens)
        return try parser.rule()
    }

    private var current: RuleToken { tokens[position] }
    private var previous: RuleToken? { position > 0 ? tokens[position - 1] : nil }

    private mutating func advance() -> RuleToken {
        defer { position += 1 }
        return current
    }

    private mutating func rule() throws(RuleError) -> RuleSyntax {
        if current.kind == .end {
            throw RuleError(column: 1, message: "the rule is empty")
        }
        let condition = try or()
        switch current.kind {
        case .end:
            return condition
        case .rightParen:
            throw RuleError(column: current.column, message: "')' has no matching '('")
        default:
            throw RuleError(column: current.column, message: "expected an operator before '\(current.text)'")
        }
    }

    private mutating func or() throws(RuleError) -> RuleSyntax {
        var operands = [try and()]
        while current.kind == .or {
            _ = advance()
            operands.append(try and())
        }
        return operands.count == 1 ? operands[0] : Self.node(.logic(.or, operands), operands)
    }

    private mutating func and() throws(RuleError) -> RuleSyntax {
        var operands = [try not()]
        while current.kind == .and {
            _ = advance()
            operands.append(try not())
        }
        return operands.count == 1 ? operands[0] : Self.node(.logic(.and, operands), operands)
    }

    private mutating func not() throws(RuleError) -> RuleSyntax {
        guard current.kind == .not else { return try comparison() }
        let keyword = advance()
        try enter(keyword)
        defer { nesting -= 1 }
        let operand = try not()
        return RuleSyntax(kind: .not(operand), span: keyword.start..<operand.span.upperBound)
    }

    /// One comparison at most: `a < b < c` is rejected at the second operator rather than read as `(a < b) < c`.
    private mutating func comparison() throws(RuleError) -> RuleSyntax {
        let left = try sum()
        let result: RuleSyntax
        switch current.kind {
        case .less: result = try compare(left, .less)
        case .lessEqual: result = try compare(left, .lessEqual)
        case .greater: result = try compare(left, .greater)
        case .greaterEqual: result = try compare(left, .greaterEqual)
        case .equal: result = try compare(left, .equal)
        case .notEqual: result = try compare(left, .notEqual)
        case .in: result = try membership(left)
        default: return left
        }
        if current.isComparison {
            throw RuleError(
                column: current.column,
                message: "comparisons do not chain; join them with 'and', as in 'a < b and b < c'")
        }
        return result
    }

    private mutating func compare(
        _ left: RuleSyntax, _ op: RuleSyntax.ComparisonOperator
    ) throws(RuleError) -> RuleSyntax {
        _ = advance()
        let right = try sum()
        return RuleSyntax(kind: .comparison(op, left, right), span: left.span.lowerBound..<right.span.upperBound)
    }

    /// `in ( name, … )`: option names only, at least one.
    private mutating func membership(_ left: RuleSyntax) throws(RuleError) -> RuleSyntax {
        let keyword = advance()
        guard current.kind == .leftParen else { throw expected("'('", after: keyword) }
        let open = advance()
        var options: [(name: String, span: Range<Int>)] = []
        while true {
            guard case .name(let name) = current.kind else { throw expected("an option name", after: previous!) }
            let option = advance()
            options.append((name, option.start..<option.end))
            switch current.kind {
            case .comma:
                _ = advance()
            case .rightParen:
                let close = advance()
                return RuleSyntax(kind: .membership(left, options), span: left.span.lowerBound..<close.end)
            case .end:
                throw unclosed(open)
            default:
                throw RuleError(
                    column: current.column,
                    message: "expected ',' or ')' after '\(option.text)' but found '\(current.text)'")
            }
        }
    }

    private mutating func sum() throws(RuleError) -> RuleSyntax {
        let first = try product()
        var rest: [(RuleSyntax.ArithmeticOperator, RuleSyntax)] = []
        while true {
            let op: RuleSyntax.ArithmeticOperator
            switch current.kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return Self.chain(first, rest)
            }
            _ = advance()
            rest.append((op, try product()))
        }
    }

    private mutating func product() throws(RuleError) -> RuleSyntax {
        let first = try unary()
        var rest: [(RuleSyntax.ArithmeticOperator, RuleSyntax)] = []
        while true {
            let op: RuleSyntax.ArithmeticOperator
            switch current.kind {
            case .star: op = .multiply
            case .slash: op = .divide
            default: return Self.chain(first, rest)
            }
            _ = advance()
            rest.append((op, try unary()))
        }
    }

    private mutating func unary() throws(RuleError) -> RuleSyntax {
        guard current.kind == .minus else { return try primary() }
        let minus = advance()
        try enter(minus)
        defer { nesting -= 1 }
        let operand = try unary()
        return RuleSyntax(kind: .negate(operand), span: minus.start..<operand.span.upperBound)
    }

    private mutating func primary() throws(RuleError) -> RuleSyntax {
        let token = current
        let span = token.start..<token.end
        switch token.kind {
        case .number(let value):
            _ = advance()
            return RuleSyntax(kind: .number(value), span: span)
        case .true, .false:
            _ = advance()
            return RuleSyntax(kind: .boolean(token.kind == .true), span: span)
        case .name(let name):
            _ = advance()
            return RuleSyntax(kind: .name(name), span: span)
        case .leftParen:
            let open = advance()
            try enter(open)
            defer { nesting -= 1 }
            var inner = try or()
            switch current.kind {
            case .rightParen:
                inner.span = open.start..<advance().end
                return inner
            case .end:
                throw unclosed(open)
            default:
                throw RuleError(
                    column: current.column,
                    message: "expected ')' for the '(' at column \(open.column) but found '\(current.text)'")
            }
        case .not:
            throw RuleError(
                column: token.column,
                message: "'not' cannot follow '\(previous?.text ?? "")'; put 'not …' in parentheses")
        default:
            throw expected("a value", after: previous)
        }
    }

    private mutating func enter(_ token: RuleToken) throws(RuleError) {
        nesting += 1
        if nesting > RuleCompiler.maximumDepth {
            throw RuleError(
                column: token.column,
                message: "parentheses, 'not' and '-' nest more than \(RuleCompiler.maximumDepth) deep")
        }
    }

    /// At the end of the text the column is one past it; otherwise the unexpected token's.
    private func expected(_ what: String, after token: RuleToken?) -> RuleError {
        let after = token.map { " after '\($0.text)'" } ?? ""
        if current.kind == .end {
            return RuleError(column: current.column, message: "expected \(what)\(after)")
        }
        return RuleError(column: current.column, message: "expected \(what)\(after) but found '\(current.text)'")
    }

    private func unclosed(_ open: RuleToken) -> RuleError {
        RuleError(column: open.column, message: "'(' is never closed")
    }

    private static func node(_ kind: RuleSyntax.Kind, _ operands: [RuleSyntax]) -> RuleSyntax {
        RuleSyntax(kind: kind, span: operands[0].span.lowerBound..<operands[operands.count - 1].span.upperBound)
    }

    private static func chain(
        _ first: RuleSyntax, _ rest: [(RuleSyntax.ArithmeticOperator, RuleSyntax)]
    ) -> RuleSyntax {
        guard let last = rest.last else { return first }
        return RuleSyntax(kind: .arithmetic(first, rest), span: first.span.lowerBound..<last.1.span.upperBound)
    }
}
