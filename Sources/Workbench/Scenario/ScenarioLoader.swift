import Foundation
import YAMLInput
import Yams

extension ScenarioProblem {
    init(_ problem: YAMLInputProblem) {
        self.init(path: "", message: problem.message, line: problem.line, column: problem.column)
    }
}

/// Reads scenario files into validated ``Scenario`` values.
///
/// Validation never stops at the first problem: a rejected scenario comes back with every problem found,
/// each at its place in the file, so one edit–run cycle fixes them all.
public enum ScenarioLoader {
    /// Reads and validates a scenario file.
    ///
    /// - Throws: ``ScenarioError`` naming `path`; a file that cannot be read gives one problem without a position.
    public static func load(contentsOf path: String) throws(ScenarioError) -> Scenario {
        var isDirectory: ObjCBool = false
        let reason: String
        if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            reason = "no such file"
        } else if isDirectory.boolValue {
            reason = "is a directory, not a scenario file"
        } else if let data = FileManager.default.contents(atPath: path) {
            let text: String
            do {
                text = try YAMLInput.text(of: data)
            } catch {
                throw ScenarioError(file: path, problems: [ScenarioProblem(error)])
            }
            return try parse(yaml: text, file: path)
        } else {
            reason = "permission denied or unreadable"
        }
        throw ScenarioError(file: path, problems: [ScenarioProblem(path: "", message: "cannot read: \(reason)")])
    }

    /// Validates scenario text.
    ///
    /// - Parameter file: The name to show in messages.
    /// - Throws: ``ScenarioError`` with every problem, sorted by position.
    public static func parse(yaml: String, file: String) throws(ScenarioError) -> Scenario {
        let root: Node?
        do {
            root = try YAMLInput.compose(yaml)
        } catch {
            throw ScenarioError(file: file, problems: [syntaxProblem(error)])
        }
        guard let root else {
            let required = ScenarioBuilder.requiredTopKeys.joined(separator: ", ")
            let problem = ScenarioProblem(path: "", message: "the file has no content; a scenario needs \(required)")
            throw ScenarioError(file: file, problems: [problem])
        }
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

    /// A YAML error as one problem at the place the parser stopped; nothing after it can be trusted.
    static func syntaxProblem(_ error: any Error) -> ScenarioProblem {
        if let problem = error as? YAMLInputProblem { return ScenarioProblem(problem) }
        guard let error = error as? YamlError else {
            return ScenarioProblem(path: "", message: "invalid YAML: \(error)")
        }
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = "invalid YAML: \(problem)"
            if let context {
                message += " (\(context.text) at \(context.mark.line):\(context.mark.column))"
            }
            return ScenarioProblem(path: "", message: message, line: mark.line, column: mark.column)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { "'\($0)'" }.joined(separator: ", ")
            return ScenarioProblem(
                path: "", message: "invalid YAML: duplicate key \(keys) in a mapping", line: context.mark.line,
                column: context.mark.column
            )
        case .reader(let problem, let offset, _, let yaml):
            let (line, column) = offset.map { position(ofCharacter: $0, in: yaml) } ?? (nil, nil)
            return ScenarioProblem(path: "", message: "invalid text: \(problem)", line: line, column: column)
        default:
            return ScenarioProblem(path: "", message: "invalid YAML: \(error)")
        }
    }

    /// 1-based line and column of a character offset.
    private static func position(ofCharacter offset: Int, in text: String) -> (Int?, Int?) {
        var line = 1
        var column = 1
        for character in text.prefix(offset) {
            if character == "\n" || character == "\r\n" {
                line += 1
                column = 1
            } else {
                column += 1
            }
        }
        return (line, column)
    }
}
