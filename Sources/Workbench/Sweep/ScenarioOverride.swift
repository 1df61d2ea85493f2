import UsageModel
import YAMLInput
import Yams

/// One value of a scenario set from the command line: `interventions.policies.dormant_email.cooldown_days=7`.
///
/// The path is dotted keys; in a list, a number picks an element by position (from 0) and any other word the
/// element whose `name` is that word, so `policies.csm_call` stays right when the file's order changes. The value
/// is one YAML scalar, read as the file's own scalars are, so `7`, `0.5`, `every` and `'7'` mean what they would
/// mean written in the file.
struct ScenarioOverride: Sendable, Hashable, CustomStringConvertible {
    let path: [String]
    /// The value as given, shown in messages and reports.
    let value: String

    var pathText: String { path.joined(separator: ".") }
    var description: String { "\(pathText)=\(value)" }

    /// A path as given: dotted, no empty key.
    static func path(_ text: String) throws(RunError) -> [String] {
        let keys = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !text.isEmpty, keys.allSatisfy({ !$0.isEmpty }) else {
            throw .badInput("--vary \(text): a path is dotted keys, such as interventions.policies.NAME.cooldown_days")
        }
        return keys
    }

    /// The value as a scalar node, through the checks every input file gets (no tags, no aliases).
    func scalar() throws(RunError) -> Node.Scalar {
        let node: Node?
        do {
            node = try YAMLInput.compose(value)
        } catch {
            throw .badInput("--vary \(description): the value is not a YAML scalar: \(InputProblem(yamlError: error))")
        }
        guard let node else {
            throw .badInput("--vary \(pathText): an empty value; give a YAML scalar (write '' for an empty string)")
        }
        guard case .scalar(let scalar) = node else {
            throw .badInput(
                "--vary \(description): the value is \(NodeReader.shown(node)); give one YAML scalar (a number, a word "
                    + "or a quoted string)")
        }
        return scalar
    }

    /// Sets this value in `root`, where the path leads.
    ///
    /// The node replaced keeps its place in the file, so a problem the value causes is reported there; a key
    /// created in a mapping that did not have it takes the mapping's place.
    ///
    /// - Throws: ``RunError/badInput(_:)`` naming the path when it leads nowhere: a missing key with more keys
    ///   after it, an element that is not there, a value or list where a mapping was expected, or a path that
    ///   ends on a mapping or list instead of a value.
    func apply(to root: inout Node) throws(RunError) {
        try set(&root, at: path[...], value: try scalar())
    }

    private func set(_ node: inout Node, at keys: ArraySlice<String>, value: Node.Scalar) throws(RunError) {
        let key = keys.first!
        let done = path.count - keys.count
        let parent = done == 0 ? "the scenario's top level" : "'" + path[..<done].joined(separator: ".") + "'"
        let here = path[...done].joined(separator: ".")
        let last = keys.count == 1
        switch node {
        case .mapping(var mapping):
            guard let i = mapping.firstIndex(where: { $0.key.scalar?.string == key }) else {
                let written = mapping.compactMap { $0.key.scalar?.string }.filter { $0 != "<<" }
                if !last, mapping.contains(where: { $0.key.scalar?.string == "<<" }) {
                    throw .badInput(
                        "--vary \(pathText): \(parent) has no key '\(key)' of its own (a merge key '<<' may supply "
                            + "it); write '\(key)' out in the file to vary what is under it")
                }
                guard last else {
                    throw .badInput(
                        "--vary \(pathText): \(parent) has no key '\(key)'"
                            + NameSuggestion.hint(for: key, among: written)
                            + " (only the last key of a path may be new)")
                }
                var created = value
                created.mark = mapping.mark
                mapping[.scalar(Node.Scalar(key, .implicit, .plain, mapping.mark))] = .scalar(created)
                node = .mapping(mapping)
                return
            }
            var child = mapping[i].value
            try step(&child, at: keys, value: value, here: here)
            mapping[i] = (mapping[i].key, child)
            node = .mapping(mapping)
        case .sequence(var sequence):
            let i = try element(key, of: sequence, parent: parent, here: here)
            var child = sequence[i]
            try step(&child, at: keys, value: value, here: here)
            sequence[i] = child
            node = .sequence(sequence)
        case .scalar, .alias:
            throw .badInput(
                "--vary \(pathText): \(parent) is \(NodeReader.shown(node)), not a mapping or a list, so it has no "
                    + "'\(key)'")
        }
    }

    /// Replaces `child` by the value when the path ends here, else goes on into it.
    private func step(_ child: inout Node, at keys: ArraySlice<String>, value: Node.Scalar, here: String)
        throws(RunError)
    {
        guard keys.count == 1 else {
            try set(&child, at: keys.dropFirst(), value: value)
            return
        }
        guard case .scalar(let old) = child else {
            let what =
                switch child {
                case .mapping: "a mapping"
                case .sequence: "a list"
                default: "an alias"
                }
            throw .badInput(
                "--vary \(pathText): '\(here)' is \(what); a path must lead to one value (a number, a word)")
        }
        var replaced = value
        replaced.mark = old.mark
        child = .scalar(replaced)
    }

    /// The index of a list's element: by position, or by the `name` of the mapping there.
    private func element(_ key: String, of sequence: Node.Sequence, parent: String, here: String) throws(RunError)
        -> Int
    {
        if let i = Int(key) {
            guard sequence.indices.contains(i) else {
                throw .badInput(
                    "--vary \(pathText): \(parent) has \(sequence.count) element\(sequence.count == 1 ? "" : "s"), "
                        + "so no element \(i) (elements count from 0)")
            }
            return i
        }
        let names = sequence.map { $0.mapping?["name"]?.scalar?.string }
        let matches = names.indices.filter { names[$0] == key }
        guard let first = matches.first else {
            let known = names.compactMap { $0 }
            guard !known.isEmpty else {
                throw .badInput(
                    "--vary \(pathText): \(parent) is a list without names; pick its element by position (0, 1, …)")
            }
            throw .badInput(
                "--vary \(pathText): \(parent) has no element named '\(key)'"
                    + NameSuggestion.hint(for: key, among: known))
        }
        guard matches.count == 1 else {
            throw .badInput("--vary \(pathText): \(parent) has \(matches.count) elements named '\(key)'")
        }
        return first
    }
}
