import Foundation
import Testing

@testable import Fitting

/// The scores behind the information-based standard errors.
@Suite("Scores")
struct ScoreTests {
    /// The model with the named parameter at `index` moved by `step` (exactly as ``HiddenMarkovModel/namedParameters``
    /// lists them).
    static func moved(_ model: HiddenMarkovModel, _ index: Int, by step: Double) -> HiddenMarkovModel {
        let live = model.liveStates
        let n = model.stateCount
        let perPersona = 1 + live + live * n
        var personas = model.personas
        var emissions = model.emissions
        let releaseParameters = model.releases.count * (1 + model.featureCount)
        if index >= model.namedParameters.count - releaseParameters {
            let rest = index - (model.namedParameters.count - releaseParameters)
            var releases = model.releases
            let j = rest / (1 + model.featureCount)
            let field = rest % (1 + model.featureCount)
            if field == 0 {
                releases[j].keyActionFactor += step
            } else {
                releases[j].featureFactors[field - 1] += step
            }
            return model.replacing(releases: releases)
        }
        if var habit = model.habit, index == model.namedParameters.count - 1 {
            habit.strength += step
            return model.replacing(habit: habit)
        }
        if index < personas.count * perPersona {
            let k = index / perPersona
            let offset = index % perPersona
            if offset == 0 {
                personas[k].share += step
            } else if offset <= live {
                personas[k].initial[offset - 1] += step
            } else {
                let i = (offset - 1 - live) / n
                let j = (offset - 1 - live) % n
                personas[k].transitions[i * n + j] += step
            }
        } else if index >= personas.count * perPersona + emissions.count * Self.perState(model) {
            let rest = index - personas.count * perPersona - emissions.count * Self.perState(model)
            personas[rest / model.accountSizeClasses].accountSizes[rest % model.accountSizeClasses] += step
        } else {
            let perState = Self.perState(model)
            let rest = index - personas.count * perPersona
            let s = rest / perState
            var field = rest % perState
            if field == 0 {
                emissions[s].sessionMean += step
            } else {
                if model.sessionFamily == .poisson { field += 1 }
                switch field {
                case 1: emissions[s].sessionDispersion += step
                case 2: emissions[s].keyActionsPerSession += step
                default: emissions[s].featureProbabilities[field - 3] += step
                }
            }
        }
        return model.replacing(personas: personas, emissions: emissions)
    }

    /// Named parameters per live state.
    static func perState(_ model: HiddenMarkovModel) -> Int {
        model.sessionFamily == .negativeBinomial ? 3 + model.featureCount : 2 + model.featureCount
    }

    /// Fisher's identity: the expected complete-data score given the data is the derivative of the observed
    /// log-likelihood. Checked against central differences with step h = 1e-6: the truncation error is
    /// O(h² f‴) ≈ 1e-12 · 1/p³ ≲ 1e-8 for probabilities p ≥ 0.02, and the rounding of a log-likelihood of about 40
    /// divided by 2h is about 1e-8, so 1e-6 is far below what a wrong term would give.
    @Test(
        "each free parameter's score equals the derivative of the log-likelihood", arguments: ExactInferenceTests.models
    )
    func scoresAreDerivatives(modelIndex: Int) throws {
        let model = try ExactInferenceTests.model(modelIndex)
        let data = try ExactInferenceTests.data(for: model)
        let inference = try HMMInference(model: model, data: data)
        let statistics = inference.expectedStatistics(threads: 1)
        let terms = ScoreTerms(model: model, layout: statistics.layout, sessionValues: data.sessionValues)
        var score = [Double](repeating: 0, count: terms.terms.count)
        statistics.values.withUnsafeBufferPointer { t in
            score.withUnsafeMutableBufferPointer { terms.scores(t.baseAddress!, into: $0.baseAddress!) }
        }
        let h = 1e-6
        for (index, role) in terms.roles.enumerated() {
            guard case .free(let i) = role else { continue }
            let reference = terms.roles.firstIndex {
                if case .reference(let free) = $0 { return free.contains(i) }
                return false
            }
            func logLikelihood(_ step: Double) throws -> Double {
                var changed = Self.moved(model, index, by: step)
                if let reference { changed = Self.moved(changed, reference, by: -step) }
                return try HMMInference(model: changed, data: data).logLikelihood()
            }
            let derivative = (try logLikelihood(h) - logLikelihood(-h)) / (2 * h)
            #expect(
                abs(score[i] - derivative) <= 1e-6 * max(1, abs(derivative)),
                "\(model.namedParameters[index].name): score \(score[i]), derivative \(derivative)")
        }
    }
}
