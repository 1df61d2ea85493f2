/// A word or symbol of a rule, with its place in the text for error messages.
struct RuleToken {
    enum Kind: Equatable {
        case number(Double)
        /// A metric or option name, dots included: `feature.reports`.
        case name(String)
        case and, or, not, `in`, `true`, `false`
        case plus, minus, star, slash
        case less, lessEqual, greater, greaterEqual, equal, notEqual
        case leftParen, rightParen, comma
        case end
    }

    let kind: Kind
    /// Offsets in characters, 0-based, end exclusive.
    let start: Int
    let end: Int
    /// As written, for messages.
    let text: String

    var column: Int { start + 1 }

    var isComparison: Bool {
        switch kind {
        case .less, .lessEqual, .greater, .greaterEqual, .equal, .notEqual, .in: true
        default: false
        }
    }
}
