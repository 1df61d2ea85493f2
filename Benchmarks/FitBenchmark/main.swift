// The time of an EM fit of a hidden Markov model on a synthetic event log, as one JSON object.
//
//   FitBenchmark [--users N] [--days D] [--signup-days D] [--threads T] [--starts S] [--personas K]
//                [--churn-divisor C]
//
// Users' days are drawn from a model with three live states, churned and two personas (negative binomial
// sessions, three features), then a model of the same size is fitted from random starts. Users churn within weeks;
// --churn-divisor divides every churn probability by C (the rest stays in the state), for logs where most users
// stay active and most days must be passed one by one. Build in release:
// `swift build -c release --product FitBenchmark`.
import Fitting
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())

func value(_ name: String, default fallback: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let parsed = Int(arguments[i + 1]) else {
        return fallback
    }
    return parsed
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

let users = value("--users", default: 100_000)
let days = value("--days", default: 365)
let signupDays = value("--signup-days", default: 1)
let threads = value("--threads", default: 2)
let starts = value("--starts", default: 4)
let personas = value("--personas", default: 2)
let churnDivisor = Double(value("--churn-divisor", default: 1))

/// A transition matrix over three live states and churned with the churn probabilities divided by `churnDivisor`.
func transitions(_ rows: [Double]) -> [Double] {
    var matrix = rows
    for i in 0..<3 {
        let churn = matrix[i * 4 + 3]
        matrix[i * 4 + 3] = churn / churnDivisor
        matrix[i * 4 + i] += churn - churn / churnDivisor
    }
    return matrix
}

let truth = try HiddenMarkovModel(
    personas: [
        PersonaChain(
            share: 0.6, initial: [0.2, 0.5, 0.3],
            transitions: transitions([
                0.90, 0.06, 0.01, 0.03, 0.04, 0.90, 0.05, 0.01, 0.01, 0.06, 0.92, 0.01, 0, 0, 0, 1,
            ])),
        PersonaChain(
            share: 0.4, initial: [0.5, 0.4, 0.1],
            transitions: transitions([
                0.85, 0.04, 0.01, 0.10, 0.10, 0.80, 0.04, 0.06, 0.02, 0.15, 0.80, 0.03, 0, 0, 0, 1,
            ])),
    ],
    emissions: [
        StateEmission(
            sessionMean: 0.3, sessionDispersion: 0.8, keyActionsPerSession: 1, featureProbabilities: [0.05, 0.1, 0.02]),
        StateEmission(
            sessionMean: 2, sessionDispersion: 3, keyActionsPerSession: 2, featureProbabilities: [0.3, 0.4, 0.1]),
        StateEmission(
            sessionMean: 6, sessionDispersion: 10, keyActionsPerSession: 3, featureProbabilities: [0.7, 0.6, 0.5]),
    ], featureCount: 3, sessionFamily: .negativeBinomial)

let simulationStart = ContinuousClock.now
let data = truth.simulate(users: users, days: days, signupDays: signupDays, seed: 2024)
let simulationSeconds = seconds(since: simulationStart)

let fitStart = ContinuousClock.now
let fit = try HMMFitter.fit(
    data, options: FitOptions(liveStates: 3, personas: personas, starts: starts, threads: threads))
let fitSeconds = seconds(since: fitStart)

let record: [String: Any] = [
    "users": users, "days": days, "signup_days": signupDays, "threads": threads, "starts": starts,
    "personas": personas, "churn_divisor": churnDivisor, "observed_user_days": data.totalObservedDays,
    "active_user_days": data.totalActiveDays,
    "simulate_seconds": simulationSeconds, "fit_seconds": fitSeconds, "iterations": fit.iterations,
    "converged": fit.converged, "log_likelihood": fit.logLikelihood, "bic": fit.bic,
]
let json = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
FileHandle.standardOutput.write(json + Data([0x0A]))
