import Foundation
public import YAMLInput
import Yams

/// Reads scenario files into validated ``Scenario`` values.
///
/// Validation never stops at the first problem: a rejected scenario comes back with every problem found,
/// each at its place in the file, so one edit–run cycle fixes them all.
public enum ScenarioLoader {
    /// Reads and validates a scenario file.
    ///
    /// - Throws: ``ScenarioError`` naming `path`; a file that cannot be read gives one problem without a position.
    public static func load(contentsOf path: String) throws(ScenarioError) -> Scenario {
        try parse(yaml: YAMLInput.read(path, noun: "scenario file"), file: path)
    }

    /// Validates scenario text.
    ///
    /// - Parameter file: The name to show in messages.
    /// - Throws: ``ScenarioError`` with every problem, sorted by position.
    public static func parse(yaml: String, file: String) throws(ScenarioError) -> Scenario {
        guard let root = try YAMLInput.root(of: yaml, file: file) else {
            let required = ScenarioBuilder.requiredTopKeys.joined(separator: ", ")
            let problem = ScenarioProblem(path: "", message: "the file has no content; a scenario needs \(required)")
            throw ScenarioError(file: file, problems: [problem])
        }
        return try scenario(from: root, source: yaml, file: file)
    }

    /// Validates a composed document, which may have been edited after composing (`sweep` sets values in it);
    /// problems point at the marks its nodes carry.
    ///
    /// - Parameter source: The text kept as ``Scenario/source``.
    static func scenario(from root: Node, source yaml: String, file: String) throws(ScenarioError) -> Scenario {
        let builder = ScenarioBuilder()
        let result = builder.build(root)
        guard builder.reader.problems.isEmpty, let result else {
            var problems = builder.reader.problems
            if problems.isEmpty {
                // Not expected: the builder reports whatever stops it. Still, never accept a half-read scenario.
                problems.append(ScenarioProblem(path: "", message: "the scenario could not be read"))
            }
            throw ScenarioError(file: file, problems: problems, unkept: builder.reader.unkeptProblems)
        }
        return Scenario(
            name: result.name, description: result.description, spec: result.spec, segmentation: result.segmentation,
            horizonDays: result.horizonDays,
            source: yaml)
    }
}
