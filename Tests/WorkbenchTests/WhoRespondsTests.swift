import Analysis
import Segmentation
import Simulation
import Testing
import UsageModel

@testable import Workbench

/// Who responds and who to target, computed from a run's experiment pieces and checked against the same
/// pieces counted directly.
@Suite("Who responds and who to target")
struct WhoRespondsTests {
    static func results() throws -> (ExperimentResults, ExperimentPieces, ExperimentContext) {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/reengagement.yaml"))
        var spec = scenario.spec
        spec.users = 6_000
        spec.days = 150
        spec.signupDays = 60
        let simulator = try Simulator(spec: spec, threads: 2)
        let engine = SegmentationEngine(scenario.segmentation, threads: 2)
        let experiment = try #require(ExperimentRun(simulator: simulator, engine: engine, threads: 2))
        _ = try simulator.run(observers: [engine] + experiment.observers)
        let pieces = experiment.pieces(
            treated: simulator, counterfactual: try experiment.counterfactual(of: simulator, threads: 2))
        let context = ExperimentContext(segmentation: scenario.segmentation, spec: spec)
        return (try experiment.spec.results(pieces, context: context), pieces, context)
    }

    @Test("each dimension's groups partition the observed users; their true effects add up to the arm's")
    func subgroups() throws {
        let (results, pieces, context) = try Self.results()
        for (k, comparison) in results.comparisons.enumerated() {
            let retention = try #require(comparison.metrics.first)
            #expect(comparison.subgroups.map(\.dimension) == ["segment", "persona", "plan"])
            for d in comparison.subgroups {
                #expect(d.groups.reduce(0) { $0 + $1.treatmentUsers } == retention.treatment.users)
                #expect(d.groups.reduce(0) { $0 + $1.controlUsers } == retention.control.users)
                // Σ over groups of (users × mean true effect) is the arm's total true effect.
                let total = d.groups.reduce(0.0) { $0 + Double($1.treatmentUsers) * ($1.trueEffect ?? 0) }
                #expect(abs(total - retention.trueEffect * Double(retention.treatment.users)) < 1e-6)
                let tested = d.groups.filter { $0.absoluteLift != nil }.count
                #expect(abs(d.confidence - (1 - 0.05 / Double(tested))) < 1e-15)
            }
            // Personas counted from the pieces directly.
            let personas = comparison.subgroups[1]
            for (p, name) in context.personas.enumerated() {
                let treated = pieces.comparisons[k].filter {
                    $0.treated.observed && $0.inTreatmentArm && Int($0.treated.persona) == p
                }.count
                #expect(personas.groups.first { $0.group == name }?.treatmentUsers ?? 0 == treated)
            }
        }
    }

    @Test("the uplift models are fitted on one half and scored on the other; targeting everyone gains the half's truth")
    func uplift() throws {
        let (results, pieces, _) = try Self.results()
        let comparison = results.comparisons[0]
        let uplift = try #require(comparison.uplift)
        let observed = pieces.comparisons[0].filter(\.treated.observed)
        #expect(uplift.fittingUsers + uplift.scoringUsers == observed.count)
        #expect(uplift.learners.map(\.kind) == [.tLearner, .xLearner])
        for learner in uplift.learners {
            let evaluation = learner.evaluation
            #expect(evaluation.users == uplift.scoringUsers)
            let truth = try #require(evaluation.trueEffect)
            // Everyone triggered gains the scoring half's treated users' true effects; the oracle's top k
            // gains at least as much as the model's top k.
            for t in learner.targeting {
                #expect(t.everyone.users == evaluation.treatedUsers)
                #expect(abs(t.everyone.incrementalOutcomes - truth.totalEffect) < 1e-9)
                #expect(t.oracle.incrementalOutcomes >= t.model.incrementalOutcomes)
                #expect(t.model.users == Int(Double(evaluation.treatedUsers) * t.share))
            }
        }
        // The true effects of the whole arm's treated users split between the halves.
        let total = observed.filter(\.inTreatmentArm).reduce(0.0) { sum, pair in
            sum + (pair.treated.retained ? 1 : 0) - ((pair.twin ?? pair.treated).retained ? 1 : 0)
        }
        #expect(abs(total - comparison.metrics[0].trueEffect * Double(comparison.metrics[0].treatment.users)) < 1e-6)
    }
}
