import Foundation
public import Segmentation
import Yams

/// A segments file: the `segmentation` section of a scenario, at the top level of its own file.
public enum SegmentsFile {
    /// Reads and compiles a segments file against a product's names.
    /// - Throws: ``ScenarioError`` with every problem at its place.
    public static func load(contentsOf path: String, vocabulary: Vocabulary) throws(ScenarioError)
        -> CompiledSegmentation
    {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            let problem = ScenarioProblem(path: "", message: "cannot read: no such file, or not UTF-8 text")
            throw ScenarioError(file: path, problems: [problem])
        }
        return try parse(yaml: text, file: path, vocabulary: vocabulary)
    }

    public static func parse(yaml: String, file: String, vocabulary: Vocabulary) throws(ScenarioError)
        -> CompiledSegmentation
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ScenarioError(file: file, problems: [ScenarioProblem(path: "", message: "invalid YAML: \(error)")])
        }
        guard let root else {
            throw ScenarioError(file: file, problems: [ScenarioProblem(path: "", message: "the file is empty")])
        }
        let reader = NodeReader()
        let segments = SegmentationReader(reader: reader)
        var compiled: CompiledSegmentation?
        if let (spec, nodes) = segments.read(root, .root, defaultActivation: nil) {
            compiled = segments.compile(spec, ruleNodes: nodes, vocabulary: vocabulary, path: .root, at: root)
        }
        guard reader.problems.isEmpty, let compiled else {
            throw ScenarioError(file: file, problems: reader.problems)
        }
        return compiled
    }
}
