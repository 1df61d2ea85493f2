import Foundation
import UsageModel
public import Yams

/// One key of a mapping with its value, both with their marks.
public struct MappingEntry {
    public let name: String
    public let key: Node
    public let value: Node
}

/// A mapping whose keys were checked: unknown ones and missing required ones are already reported.
public struct MappingFields {
    public let path: NodePath
    public let node: Node
    /// The allowed keys present, merged ones included, in the order written.
    public let entries: [MappingEntry]

    /// The value of `key`, or `nil` when it is absent or written as null (`key:` or `key: ~`), which counts
    /// as not given.
    public subscript(key: String) -> Node? {
        guard let entry = entries.first(where: { $0.name == key }), !NodeReader.isNull(entry.value) else {
            return nil
        }
        return entry.value
    }

    public func entry(_ key: String) -> MappingEntry? { entries.first { $0.name == key } }
}

/// Allowed range of a real number, able to say itself in a message.
public struct NumberBounds: Sendable {
    public var lower: Double?
    public var lowerOpen = false
    public var upper: Double?
    public var upperOpen = false

    public init(lower: Double? = nil, lowerOpen: Bool = false, upper: Double? = nil, upperOpen: Bool = false) {
        self.lower = lower
        self.lowerOpen = lowerOpen
        self.upper = upper
        self.upperOpen = upperOpen
    }

    public static let positive = NumberBounds(lower: 0, lowerOpen: true)
    public static let nonNegative = NumberBounds(lower: 0)
    public static let probability = NumberBounds(lower: 0, upper: 1)
    /// For rates that must leave something: a log that loses every event has nothing to analyse.
    public static let belowOne = NumberBounds(lower: 0, upper: 1, upperOpen: true)
    public static let share = NumberBounds(lower: 0, lowerOpen: true, upper: 1)

    /// Multipliers of a rate (weekday, product change): up to a hundredfold.
    public static let factor = NumberBounds(lower: 0, upper: 100)

    public static func atLeast(_ value: Double) -> NumberBounds { NumberBounds(lower: value) }
    /// Every number that becomes a count, a size or a printed amount has an upper bound too, so a
    /// file that validates also runs (no overflow, no infinite cost).
    public static func between(_ lower: Double, _ upper: Double, lowerOpen: Bool = false) -> NumberBounds {
        NumberBounds(lower: lower, lowerOpen: lowerOpen, upper: upper)
    }

    public func contains(_ x: Double) -> Bool {
        if let lower, lowerOpen ? !(x > lower) : !(x >= lower) { return false }
        if let upper, upperOpen ? !(x < upper) : !(x <= upper) { return false }
        return true
    }

    public var message: String {
        let format = NodeReader.formatted
        switch (lower, upper) {
        case (let lower?, let upper?):
            return "must be in \(lowerOpen ? "(" : "[")\(format(lower)), \(format(upper))\(upperOpen ? ")" : "]")"
        case (let lower?, nil):
            return "must be \(lowerOpen ? ">" : ">=") \(format(lower))"
        case (nil, let upper?):
            return "must be \(upperOpen ? "<" : "<=") \(format(upper))"
        case (nil, nil):
            return "must be a number"
        }
    }
}

/// Reads scalars, lists and mappings from a YAML tree and collects every problem instead of stopping at
/// the first, so one run of a validator lists everything to fix. Scenarios, segments files and
/// taxonomies are all read with it, so a value is judged and quoted back the same way in each.
///
/// Each read takes the node and its ``NodePath``; a wrong value is reported at the node's line and
/// column and `nil` comes back, so callers go on with the rest of the document.
public final class NodeReader {
    public private(set) var problems: [InputProblem] = []
    /// Problems past the first 1000, counted but not kept: a file of a million mistakes costs no more
    /// than its reading.
    public private(set) var unkeptProblems = 0
    private static let keptProblems = 1000
    private var isFull: Bool { problems.count >= Self.keptProblems }

    public init() {}

    public func report(_ path: NodePath, _ message: @autoclosure () -> String, at node: Node?) {
        report(path, message(), mark: node?.mark)
    }

    public func report(_ path: NodePath, _ message: @autoclosure () -> String, mark: Mark?) {
        guard !isFull else {
            unkeptProblems += 1
            return
        }
        problems.append(
            InputProblem(path: path.description, message: message(), line: mark?.line, column: mark?.column))
    }

    // MARK: - Structure

    /// The entries of a mapping with any keys (names of states, features, …), or `nil` after reporting that it
    /// is not a mapping.
    public func entries(_ node: Node, _ path: NodePath) -> [MappingEntry]? {
        guard case .mapping(let mapping) = node else {
            report(path, "expected a mapping, got \(NodeReader.shown(node))", at: node)
            return nil
        }
        var result: [MappingEntry] = []
        var merged: [MappingEntry] = []
        for (key, value) in mapping {
            guard case .scalar(let scalar) = key else {
                report(path, "keys must be plain names, got \(NodeReader.shown(key))", at: key)
                continue
            }
            if scalar.string == "<<" && scalar.style == .plain {
                merged += mergeSources(value, path)
            } else {
                result.append(MappingEntry(name: scalar.string, key: key, value: value))
            }
        }
        // A merge key (`<<: *defaults`) fills in what the mapping does not say itself.
        for entry in merged where !result.contains(where: { $0.name == entry.name }) {
            result.append(entry)
        }
        return result
    }

    private func mergeSources(_ node: Node, _ path: NodePath) -> [MappingEntry] {
        switch node {
        case .mapping:
            return entries(node, path.key("<<")) ?? []
        case .sequence(let sources):
            var result: [MappingEntry] = []
            for source in sources {
                for entry in entries(source, path.key("<<")) ?? []
                where !result.contains(where: { $0.name == entry.name }) {
                    result.append(entry)
                }
            }
            return result
        default:
            report(path.key("<<"), "a merge key takes a mapping or a list of mappings", at: node)
            return []
        }
    }

    /// A mapping with a fixed set of keys; each unknown key is reported with the closest allowed one.
    ///
    /// - Parameters:
    ///   - keys: The keys allowed here, in documentation order (suggestions prefer the first).
    ///   - required: Keys that must be given (a null value counts as not given).
    public func mapping(_ node: Node, _ path: NodePath, keys: [String], required: [String] = []) -> MappingFields? {
        guard let entries = entries(node, path) else { return nil }
        for entry in entries where !keys.contains(entry.name) {
            if isFull {
                report(path.key(entry.name), "unknown key", at: entry.key)
            } else if let hint = NameSuggestion.closest(to: entry.name, among: keys) {
                report(path.key(entry.name), "unknown key; did you mean '\(hint)'?", at: entry.key)
            } else {
                report(
                    path.key(entry.name), "unknown key; allowed here: \(keys.joined(separator: ", "))", at: entry.key)
            }
        }
        let fields = MappingFields(path: path, node: node, entries: entries.filter { keys.contains($0.name) })
        require(required, in: fields)
        return fields
    }

    /// Reports each key that is not given: absent at the mapping, written as null at the key.
    public func require(_ keys: [String], in fields: MappingFields) {
        for key in keys where fields[key] == nil {
            if let entry = fields.entry(key) {
                report(fields.path.key(key), "missing value", at: entry.key)
            } else {
                report(fields.path, "missing required key '\(key)'", at: fields.node)
            }
        }
    }

    /// The items of a list, or `nil` after reporting that the node is not one.
    ///
    /// - Parameter expected: What the place takes, for the message (`a name or a list of names`).
    public func list(_ node: Node, _ path: NodePath, expected: String = "a list") -> [Node]? {
        guard case .sequence(let sequence) = node else {
            report(path, "expected \(expected), got \(NodeReader.shown(node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// The items of a list, after checking how many there are (the items are returned even when there are too
    /// many or too few, so they are still checked one by one).
    public func list(_ node: Node, _ path: NodePath, of noun: String, count: ClosedRange<Int>) -> [Node]? {
        guard let items = list(node, path) else { return nil }
        if items.count > count.upperBound {
            report(path, "too many \(noun): \(items.count), at most \(count.upperBound)", at: node)
        } else if items.count < count.lowerBound {
            report(path, "too few \(noun): \(items.count), at least \(count.lowerBound)", at: node)
        }
        return items
    }

    // MARK: - Scalars

    /// Any scalar's text, whatever YAML would make of it (a date, a number), as names and dates need.
    public func string(_ node: Node, _ path: NodePath, expected: String = "a string") -> String? {
        guard case .scalar(let scalar) = node, !NodeReader.isNull(node) else {
            report(path, "expected \(expected), got \(NodeReader.shown(node))", at: node)
            return nil
        }
        return scalar.string
    }

    /// A name that other places refer to; kept to identifier characters so it reads the same in reports,
    /// CSV headers and segment expressions.
    public func name(_ node: Node, _ path: NodePath, of noun: String) -> String? {
        guard let text = string(node, path, expected: "a \(noun) name") else { return nil }
        let valid =
            !text.isEmpty && text.count <= 64
            && text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
        if !valid {
            report(path, "invalid \(noun) name '\(text)': use 1 to 64 lowercase letters, digits or '_'", at: node)
        }
        return text
    }

    public func integer(_ node: Node, _ path: NodePath, in range: ClosedRange<Int>) -> Int? {
        guard let literal = integerLiteral(node, path) else { return nil }
        guard let value = Int(literal), range.contains(value) else {
            report(path, NodeReader.rangeMessage(range), at: node)
            return nil
        }
        return value
    }

    /// Seeds use the whole 64-bit range, beyond `Int.max`.
    public func unsigned(_ node: Node, _ path: NodePath) -> UInt64? {
        guard let literal = integerLiteral(node, path) else { return nil }
        guard let value = UInt64(literal) else {
            report(path, "must be between 0 and \(UInt64.max)", at: node)
            return nil
        }
        return value
    }

    public func number(_ node: Node, _ path: NodePath, _ bounds: NumberBounds) -> Double? {
        guard case .scalar(let scalar) = node, scalar.style == .plain,
            let value = NodeReader.decimal(scalar.string)
        else {
            report(path, "expected a number, got \(NodeReader.shown(node))", at: node)
            return nil
        }
        guard bounds.contains(value) else {
            report(path, bounds.message, at: node)
            return nil
        }
        return value
    }

    /// A monthly price from 0 to 1 000 000 with at most two decimals, in cents: scenarios and taxonomies
    /// keep money in whole cents so sums do not depend on their order.
    public func cents(_ node: Node, _ path: NodePath) -> Int64? {
        guard let price = number(node, path, NumberBounds(lower: 0, upper: 1_000_000)) else { return nil }
        let cents = (price * 100).rounded()
        guard abs(price * 100 - cents) < 1e-6 else {
            report(path, "at most 2 decimals: prices are kept in cents", at: node)
            return nil
        }
        return Int64(cents)
    }

    public func bool(_ node: Node, _ path: NodePath) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.style == .plain, let value = Bool.construct(from: scalar) else {
            report(path, "expected true or false, got \(NodeReader.shown(node))", at: node)
            return nil
        }
        return value
    }

    /// The digits of an unquoted integer (sign kept, `_` separators dropped), or `nil` after reporting a wrong
    /// type. Range is left to the caller, which knows the type it needs.
    private func integerLiteral(_ node: Node, _ path: NodePath) -> String? {
        if case .scalar(let scalar) = node, scalar.style == .plain {
            let text = scalar.string.filter { $0 != "_" }
            let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
            if !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), !scalar.string.hasPrefix("_") {
                return text.first == "+" ? String(digits) : text
            }
        }
        report(path, "expected an integer, got \(NodeReader.shown(node))", at: node)
        return nil
    }

    // MARK: - Helpers

    /// A decimal number as written by hand: no hexadecimal, no `inf` or `nan`, `_` allowed as a separator.
    private static func decimal(_ text: String) -> Double? {
        let cleaned = text.filter { $0 != "_" }
        guard let first = cleaned.first, first.isASCIIDigit || "+-.".contains(first),
            cleaned.allSatisfy({ $0.isASCIIDigit || "+-.eE".contains($0) }), !text.hasPrefix("_"),
            let value = Double(cleaned), value.isFinite
        else { return nil }
        return value
    }

    /// Whether the node is YAML's null: nothing, `~` or `null` unquoted.
    public static func isNull(_ node: Node) -> Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How a wrong value is quoted back: the text for scalars, the kind for anything else.
    public static func shown(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar):
            if isNull(node) { return scalar.string.isEmpty ? "nothing" : "null" }
            var text = scalar.string
            if text.count > 40 { text = String(text.prefix(40)) + "…" }
            return scalar.style == .plain ? "'\(text)'" : "the quoted string '\(text)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    /// A number in a message: short, and free of binary noise such as 0.9900000000000001.
    public static func formatted(_ x: Double) -> String {
        String(format: "%.12g", x)
    }

    private static func rangeMessage(_ range: ClosedRange<Int>) -> String {
        range.upperBound == Int.max
            ? "must be >= \(range.lowerBound)" : "must be between \(range.lowerBound) and \(range.upperBound)"
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
