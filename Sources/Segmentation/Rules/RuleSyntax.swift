/// A parsed rule before names are resolved; each node keeps its span so errors can point into the text.
///
/// Chains of one operator (`a and b and c`, `a - b + c`) are one node, so the tree is only as deep as
/// the rule's nesting, whatever its length.
struct RuleSyntax {
    indirect enum Kind {
        case number(Double)
        case boolean(Bool)
        case name(String)
        case negate(RuleSyntax)
        case not(RuleSyntax)
        /// Two or more operands, short-circuit.
        case logic(LogicOperator, [RuleSyntax])
        /// Left to right: `first op₁ rest₁ op₂ rest₂ …`.
        case arithmetic(RuleSyntax, [(ArithmeticOperator, RuleSyntax)])
        case comparison(ComparisonOperator, RuleSyntax, RuleSyntax)
        /// `choice in (option, …)`; each option with its span.
        case membership(RuleSyntax, [(name: String, span: Range<Int>)])
    }

    enum LogicOperator { case and, or }
    enum ArithmeticOperator { case add, subtract, multiply, divide }
    enum ComparisonOperator: String {
        case less = "<"
        case lessEqual = "<="
        case greater = ">"
        case greaterEqual = ">="
        case equal = "=="
        case notEqual = "!="
    }

    var kind: Kind
    /// Character offsets of the node's text, parentheses around it included.
    var span: Range<Int>

    var column: Int { span.lowerBound + 1 }
}
