/// Why a rule does not compile, and where: scenario files quote it beside the rule's path.
public struct RuleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based column, in characters, where the problem starts; one past the end for an unexpected end.
    public let column: Int
    /// What is wrong, with a suggestion when there is a close one.
    public let message: String

    public init(column: Int, message: String) {
        self.column = column
        self.message = message
    }

    public var description: String { "column \(column): \(message)" }
}
