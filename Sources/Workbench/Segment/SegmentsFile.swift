import Foundation
public import Segmentation
public import YAMLInput

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

    /// Reads and compiles segments-file text; `file` names it in messages.
    /// - Throws: ``ScenarioError`` with every problem, sorted by position.
    public static func parse(yaml: String, file: String, vocabulary: Vocabulary) throws(ScenarioError)
        -> CompiledSegmentation
    {
        guard let root = try YAMLInput.root(of: yaml, file: file) else {
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
