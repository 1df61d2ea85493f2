/// Splits a rule into tokens, rejecting anything that cannot start one at its exact column.
struct RuleLexer {
    private let text: [Character]
    private var position = 0

    init(_ text: [Character]) {
        self.text = text
    }

    /// All tokens, ending with `.end` at the column after the last character.
    static func tokens(of text: [Character]) throws(RuleError) -> [RuleToken] {
        var lexer = RuleLexer(text)
        var tokens: [RuleToken] = []
        repeat {
            tokens.append(try lexer.next())
        } while tokens.last?.kind != .end
        return tokens
    }

    private static let keywords: [String: RuleToken.Kind] = [
        "and": .and, "or": .or, "not": .not, "in": .in, "true": .true, "false": .false,
    ]

    private mutating func next() throws(RuleError) -> RuleToken {
        while position < text.count, text[position].isWhitespace {
            position += 1
        }
        let start = position
        guard let c = peek() else {
            return RuleToken(kind: .end, start: start, end: start, text: "")
        }
        if c.isDigit {
            return try number()
        }
        if c.isNameStart {
            return try name()
        }
        position += 1
        let kind: RuleToken.Kind
        switch c {
        case "+": kind = .plus
        case "-": kind = .minus
        case "*": kind = .star
        case "/": kind = .slash
        case "(": kind = .leftParen
        case ")": kind = .rightParen
        case ",": kind = .comma
        case "<": kind = take("=") ? .lessEqual : .less
        case ">": kind = take("=") ? .greaterEqual : .greater
        case "=":
            guard take("=") else {
                throw RuleError(column: start + 1, message: "'=' is not an operator; compare with '=='")
            }
            kind = .equal
        case "!":
            guard take("=") else {
                throw RuleError(column: start + 1, message: "'!' is not an operator; negate with 'not'")
            }
            kind = .notEqual
        case "&":
            throw RuleError(column: start + 1, message: "'&' is not an operator; join conditions with 'and'")
        case "|":
            throw RuleError(column: start + 1, message: "'|' is not an operator; join conditions with 'or'")
        default:
            if c.isASCII, c.isUppercase {
                throw RuleError(
                    column: start + 1, message: "unexpected character '\(c)'; names and keywords are lowercase")
            }
            throw RuleError(column: start + 1, message: "unexpected character '\(c)'")
        }
        return token(kind, from: start)
    }

    /// `12`, `0.3`, `1e3`, `2.5E-1`: digits on both sides of a dot, so `1.` and `.5` are errors.
    private mutating func number() throws(RuleError) -> RuleToken {
        let start = position
        skipDigits()
        if peek() == "." {
            position += 1
            guard peek()?.isDigit == true else {
                throw RuleError(column: position + 1, message: "expected a digit after '.' in a number")
            }
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            position += 1
            if peek() == "+" || peek() == "-" {
                position += 1
            }
            guard peek()?.isDigit == true else {
                throw RuleError(column: position + 1, message: "expected a digit in the exponent of a number")
            }
            skipDigits()
        }
        let text = String(self.text[start..<position])
        if let c = peek(), c.isNameStart || c.isDigit || c == "." {
            throw RuleError(column: position + 1, message: "unexpected character '\(c)' after the number \(text)")
        }
        guard let value = Double(text), value.isFinite else {
            throw RuleError(column: start + 1, message: "the number \(text) is too large")
        }
        return RuleToken(kind: .number(value), start: start, end: position, text: text)
    }

    /// Segments `[a-z_][a-z0-9_]*` joined by dots; a keyword only when it stands alone.
    private mutating func name() throws(RuleError) -> RuleToken {
        let start = position
        while true {
            position += 1
            while let c = peek(), c.isNameStart || c.isDigit {
                position += 1
            }
            guard peek() == "." else { break }
            position += 1
            guard peek()?.isNameStart == true else {
                throw RuleError(column: position + 1, message: "expected a name after '.'")
            }
        }
        let text = String(self.text[start..<position])
        return RuleToken(kind: Self.keywords[text] ?? .name(text), start: start, end: position, text: text)
    }

    private func peek() -> Character? {
        position < text.count ? text[position] : nil
    }

    private mutating func take(_ c: Character) -> Bool {
        guard peek() == c else { return false }
        position += 1
        return true
    }

    private mutating func skipDigits() {
        while peek()?.isDigit == true {
            position += 1
        }
    }

    private func token(_ kind: RuleToken.Kind, from start: Int) -> RuleToken {
        RuleToken(kind: kind, start: start, end: position, text: String(text[start..<position]))
    }
}

extension Character {
    fileprivate var isDigit: Bool { asciiValue.map { (0x30...0x39).contains($0) } ?? false }
    fileprivate var isNameStart: Bool { asciiValue.map { (0x61...0x7A).contains($0) || $0 == 0x5F } ?? false }
}
