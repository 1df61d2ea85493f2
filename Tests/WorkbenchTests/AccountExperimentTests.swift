import Analysis
import Segmentation
import Simulation
import Testing
import UsageModel

@testable import Workbench

/// Account-level randomisation and teammates' influence, on the b2b-accounts scenario at a reduced size.
@Suite("Accounts: randomisation, clustered analysis and spill-over")
struct AccountExperimentTests {
    static func run(
        _ randomisation: Randomisation, edit: (inout SimulationSpec) -> Void = { _ in }
    ) throws -> (ExperimentRun, Simulator, OutcomeRecorder, ExperimentResults) {
        let scenario = try ScenarioLoader.load(contentsOf: Repository.path("scenarios/b2b-accounts.yaml"))
        var spec = scenario.spec
        spec.users = 6_000
        spec.days = 150
        spec.signupDays = 60
        spec.interventions!.randomisation = randomisation
        edit(&spec)
        let simulator = try Simulator(spec: spec, threads: 2)
        let engine = SegmentationEngine(scenario.segmentation, threads: 2)
        let experiment = try #require(ExperimentRun(simulator: simulator, engine: engine, threads: 2))
        _ = try simulator.run(observers: [engine] + experiment.observers)
        let twin = try experiment.counterfactual(of: simulator, threads: 2, everyone: true)
        let results = try experiment.spec.results(
            experiment.pieces(treated: simulator, counterfactual: twin),
            context: ExperimentContext(segmentation: scenario.segmentation, spec: spec))
        return (experiment, simulator, twin, results)
    }

    @Test("every user of an account is in one arm and enters on one day; accounts split as the weights say")
    func sameArm() throws {
        let (experiment, simulator, _, results) = try Self.run(.account)
        let treatment = try #require(simulator.treatment)
        let accounts = simulator.directory.account
        var arm: [Int32: UInt8] = [:]
        for u in accounts.indices {
            if let a = arm[accounts[u]] { #expect(a == treatment.arm[u]) } else { arm[accounts[u]] = treatment.arm[u] }
        }
        // Two arms of equal weight: the treatment accounts are Binomial(G, ½).
        let g = Double(arm.count)
        let treated = Double(arm.values.filter { $0 == 1 }.count)
        #expect(abs(treated - g / 2) < 4 * (g / 4).squareRoot())
        #expect(results.randomisation == "account")
        // The sample-ratio check counts accounts, the units assigned.
        let signedUp = Set(accounts.indices.filter { simulator.directory.signupDay[$0] < 150 }.map { accounts[$0] })
        #expect(results.arms.compactMap(\.accounts).reduce(0, +) == signedUp.count)
        #expect(results.sampleRatio.observed == results.arms.compactMap(\.accounts))
        let clustered = try #require(results.comparisons[0].clustered)
        let retention = results.comparisons[0].metrics[0]
        // The same difference in means as the user-level lift, over the accounts of the compared users.
        #expect(abs(clustered.difference - retention.absoluteLift) < 1e-12)
        #expect(clustered.treatmentUsers == retention.treatment.users)
        #expect(clustered.controlUsers == retention.control.users)
        let compared = experiment.recorder.entries[0].filter(\.observed)
        let clusters = Set(compared.map { Int32(simulator.directory.firstAccount) + accounts[Int($0.user)] })
        #expect(clustered.treatmentClusters + clustered.controlClusters == clusters.count)
        #expect(clustered.standardError > 0 && clustered.designEffect != nil)
        // An account enters as a whole: all its users on the day the first of them triggered.
        var day: [Int32: Int32] = [:]
        var indexed: [Int32: Int] = [:]
        for e in experiment.recorder.entries[0] {
            let a = accounts[Int(e.user)]
            #expect(day[a, default: e.indexDay] == e.indexDay)
            day[a] = e.indexDay
            indexed[a, default: 0] += 1
        }
        var size: [Int32: Int] = [:]
        for u in accounts.indices { size[accounts[u], default: 0] += 1 }
        #expect(indexed.allSatisfy { size[$0.key] == $0.value })
    }

    /// The scenario's campaign at full team influence and with an effect that makes every reached user
    /// active for two months, so that teammates' days change often enough to count at this size.
    @Test("randomising accounts keeps control users out of the campaign's reach; randomising users does not")
    func spillOver() throws {
        func strong(_ spec: inout SimulationSpec) {
            spec.model.teamInfluence = TeamInfluence(strength: 1)
            for q in spec.interventions!.policies.indices {
                spec.interventions!.policies[q].emissionEffects = [
                    EmissionEffect(target: .sessions, relativeChange: 50)
                ]
                spec.interventions!.policies[q].effectDays = 60
            }
        }
        for (randomisation, spills) in [(Randomisation.account, false), (.user, true)] {
            let (experiment, simulator, twin, _) = try Self.run(randomisation, edit: strong)
            let treatment = try #require(simulator.treatment)
            var changedControls = 0
            var controls = 0
            for (entry, other) in zip(experiment.recorder.entries[0], twin.entries[0])
            where Int(treatment.arm[Int(entry.user)]) == experiment.spec.controlArm {
                controls += 1
                if entry != other { changedControls += 1 }
            }
            #expect(controls > 200)
            // A control user's days change only through a treated teammate.
            #expect((changedControls > 0) == spills, "\(randomisation): \(changedControls) of \(controls)")
        }
    }
}
