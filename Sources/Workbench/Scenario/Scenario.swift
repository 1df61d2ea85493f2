public import Segmentation
public import Simulation
public import YAMLInput

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

/// One thing wrong with a scenario or segments file, at its place (the problem type of every input file).
public typealias ScenarioProblem = InputProblem
/// A scenario or segments file that cannot be used, with every problem found in one pass.
public typealias ScenarioError = InputError
