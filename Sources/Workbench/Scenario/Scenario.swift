import YAMLInput
public import Segmentation
public import Simulation

/// A scenario file after validation: what the simulator runs, plus what the report shows about it.
public struct Scenario: Sendable {
    /// Names the report folder, so it is restricted to `[A-Za-z0-9_.-]+`.
    public var name: String
    public var description: String?
    public var spec: SimulationSpec
    /// The segments and tags to evaluate, compiled against the scenario's features, milestones and plans.
    public var segmentation: CompiledSegmentation
    /// Days after a cutoff in which churn is predicted and segment outcomes are observed.
    public var horizonDays: Int
    /// The YAML text as read, kept so a report can reproduce the run exactly.
    public var source: String

    public init(
        name: String, description: String?, spec: SimulationSpec, segmentation: CompiledSegmentation,
        horizonDays: Int = 28, source: String
    ) {
        self.name = name
        self.description = description
        self.spec = spec
        self.segmentation = segmentation
        self.horizonDays = horizonDays
        self.source = source
    }
}

/// One thing wrong with a scenario, at its place in the file.
public struct ScenarioProblem: Sendable, Equatable, CustomStringConvertible {
    /// Where in the document, as `key.sub[index].name` with map keys as written; empty for the file as a whole.
    public let path: String
    public let message: String
    /// 1-based line and column of the node at fault, when the problem has a place in the text.
    public let line: Int?
    public let column: Int?

    public init(path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    /// `12:7: personas[1].states.fading.sessions.mean: must be > 0`, leaving out what is unknown.
    public var description: String {
        var text = ""
        if let line {
            text += column.map { "\(line):\($0): " } ?? "\(line): "
        }
        if !path.isEmpty {
            text += path + ": "
        }
        return text + message
    }
}

/// A scenario that cannot be run, with every problem found in one pass.
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    /// The file name used in messages (as given to the loader).
    public let file: String
    /// Sorted by position in the file; problems without a position come first.
    public let problems: [ScenarioProblem]

    /// Problems found but not kept, past the reader's limit.
    public let unkept: Int

    public init(file: String, problems: [ScenarioProblem], unkept: Int = 0) {
        self.file = file
        self.problems = ScenarioError.sorted(problems)
        self.unkept = unkept
    }

    /// One line per problem in the compiler's `file:line:col: path: message` form, so editors can jump to it;
    /// the first ``YAMLInput/listedProblems`` only, then how many more there are.
    public var description: String {
        var lines = problems.prefix(YAMLInput.listedProblems).map {
            $0.line == nil ? "\(file): \($0)" : "\(file):\($0)"
        }
        let more = problems.count - lines.count + unkept
        if more > 0 { lines.append("\(file): … and \(more) more problem\(more == 1 ? "" : "s")") }
        return lines.joined(separator: "\n")
    }

    /// Orders by line and column; the original order breaks ties so related problems stay together.
    static func sorted(_ problems: [ScenarioProblem]) -> [ScenarioProblem] {
        problems.enumerated()
            .sorted { a, b in
                let ka = (a.element.line ?? 0, a.element.column ?? 0, a.offset)
                let kb = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
                return ka < kb
            }
            .map(\.element)
    }
}
