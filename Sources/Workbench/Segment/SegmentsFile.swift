import Foundation
public import Segmentation
public import YAMLInput
import Yams

/// A segments file: the `segmentation` section of a scenario, at the top level of its own file.
public enum SegmentsFile {
    /// Reads and compiles a segments file against a product's names.
    /// - Throws: ``ScenarioError`` with every problem at its place.
    public static func load(contentsOf path: String, vocabulary: Vocabulary) throws(ScenarioError)
        -> CompiledSegmentation
    {
        let text = try YAMLInput.read(path, noun: "segments file")
        return try parse(yaml: text, file: path, vocabulary: vocabulary)
    }

    public static func parse(yaml: String, file: String, vocabulary: Vocabulary) throws(ScenarioError)
        -> CompiledSegmentation
    {
        let root: Node?
        do {
            root = try YAMLInput.compose(yaml)
        } catch {
            throw ScenarioError(file: file, problems: [ScenarioProblem(yamlError: error)])
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
            throw ScenarioError(file: file, problems: reader.problems, unkept: reader.unkeptProblems)
        }
        return compiled
    }
}
