import CGSL

/// Minus the mean log-likelihood per customer of a customer-base model, as a function of θ = log(parameters).
///
/// Working on the log scale keeps every parameter positive without constraints, and dividing by the number of
/// customers makes the gradient tolerance mean the same thing whatever the size of the data.
struct LogScaleObjective {
    let dimension: Int
    /// Number of customers the mean is over (to turn the mean's curvature into the total's).
    let customerCount: Int
    /// −(1/n) Σ log Lᵢ at parameters e^θ, or +∞ where that is not finite.
    let value: ([Double]) -> Double
    /// The gradient of ``value`` with respect to θ in closed form, when the model has one.
    let gradient: (([Double]) -> [Double])?

    /// Step in θ for central differences of ``value``. It balances the O(h²) truncation error against the O(δ/h)
    /// rounding error, where δ, the noise of a likelihood summed over thousands of customers (and of GSL's ₂F₁), is
    /// well above ε; on CDNOW this step gave a smaller attainable gradient than ε^(1/3) ≈ 1e-5.
    static let gradientStep = 1e-4
    /// Larger step in θ for the second differences of ``value``, which are Richardson-extrapolated from this step and
    /// half of it: the O(h²) errors cancel, leaving O(h⁴), so a step far above ε^(1/4) ≈ 1e-4 can be used and the
    /// rounding error of the likelihood (a sum over thousands of customers) is divided by a larger h².
    static let hessianValueStep = 4e-3
    /// Step in θ for central differences of a closed-form gradient.
    static let hessianGradientStep = 1e-5

    /// Central second differences of ``value`` with step `h` in every coordinate.
    private func secondDifferences(at theta: [Double], step h: Double) -> Matrix {
        let n = dimension
        var result = Matrix(rows: n, columns: n)
        let center = value(theta)
        func at(_ steps: [(Int, Double)]) -> Double {
            var point = theta
            for (index, step) in steps {
                point[index] += step
            }
            return value(point)
        }
        for i in 0..<n {
            result[i, i] = (at([(i, h)]) - 2 * center + at([(i, -h)])) / (h * h)
            for j in 0..<i {
                let mixed =
                    at([(i, h), (j, h)]) - at([(i, h), (j, -h)]) - at([(i, -h), (j, h)]) + at([(i, -h), (j, -h)])
                result[i, j] = mixed / (4 * h * h)
                result[j, i] = result[i, j]
            }
        }
        return result
    }

    /// The closed-form gradient, or central differences of ``value``.
    func slope(at theta: [Double]) -> [Double] {
        if let gradient { return gradient(theta) }
        var result = [Double](repeating: 0, count: dimension)
        for i in 0..<dimension {
            var up = theta
            var down = theta
            up[i] += Self.gradientStep
            down[i] -= Self.gradientStep
            // The steps actually taken after rounding θ ± h.
            result[i] = (value(up) - value(down)) / (up[i] - down[i])
        }
        return result
    }

    /// The Hessian of the *total* negative log-likelihood (n × ``value``) in θ: central differences of the
    /// closed-form gradient when there is one, otherwise second differences of ``value``; made exactly symmetric.
    func totalHessian(at theta: [Double]) -> Matrix {
        let n = dimension
        var hessian = Matrix(rows: n, columns: n)
        if let gradient {
            for i in 0..<n {
                var up = theta
                var down = theta
                up[i] += Self.hessianGradientStep
                down[i] -= Self.hessianGradientStep
                let gradientUp = gradient(up)
                let gradientDown = gradient(down)
                for j in 0..<n {
                    hessian[i, j] = (gradientUp[j] - gradientDown[j]) / (up[i] - down[i])
                }
            }
        } else {
            let wide = secondDifferences(at: theta, step: Self.hessianValueStep)
            let narrow = secondDifferences(at: theta, step: Self.hessianValueStep / 2)
            for i in 0..<n {
                for j in 0..<n {
                    hessian[i, j] = (4 * narrow[i, j] - wide[i, j]) / 3
                }
            }
        }
        let count = Double(customerCount)
        var symmetric = Matrix(rows: n, columns: n)
        for i in 0..<n {
            for j in 0..<n {
                symmetric[i, j] = count * 0.5 * (hessian[i, j] + hessian[j, i])
            }
        }
        return symmetric
    }
}

/// The best point found from several starts.
struct LogScaleOptimum {
    let theta: [Double]
    /// ``LogScaleObjective/value`` at ``theta``.
    let value: Double
    /// ``LogScaleObjective/slope(at:)`` at ``theta``.
    let gradient: [Double]
    /// Its Euclidean norm.
    let gradientNorm: Double
    /// Simplex, quasi-Newton and Newton iterations spent from the start that gave ``theta``.
    let iterations: Int
    /// Whether ``gradientNorm`` is at most the tolerance.
    let converged: Bool
    /// How many starts ended within 1e-6 of the best total log-likelihood.
    let startsReachingOptimum: Int
    /// Starts that had a finite likelihood and were optimized.
    let startsUsed: Int
}

/// Maximum likelihood on the log scale with GSL's multimin: from each start, the Nelder–Mead simplex
/// (`gsl_multimin_fminimizer_nmsimplex2`) brings θ near a minimum without derivatives, then BFGS
/// (`gsl_multimin_fdfminimizer_vector_bfgs2`) takes it to a small gradient; the best start is finished with a few
/// damped Newton steps on the numerical Hessian if its gradient is still above the tolerance.
enum LogScaleMaximumLikelihood {
    static func minimize(
        _ objective: LogScaleObjective, starts: [[Double]], maxIterations: Int, gradientTolerance: Double,
        function: String
    ) throws -> LogScaleOptimum {
        GSL.ensureInitialized()
        var runs: [(theta: [Double], value: Double, iterations: Int)] = []
        for start in starts where objective.value(start).isFinite {
            runs.append(optimize(objective, from: start, maxIterations: maxIterations, tolerance: gradientTolerance))
        }
        guard let best = runs.min(by: { $0.value < $1.value }) else {
            throw GSLError(
                code: 5,  // GSL_EFAILED
                reason: "the log-likelihood is not finite at any starting point", function: function)
        }
        var theta = best.theta
        var value = best.value
        var iterations = best.iterations
        var gradient = objective.slope(at: theta)
        // Newton polish: BFGS on a finite-difference gradient can stop a little above the tolerance.
        var newtonSteps = 0
        while norm(gradient) > gradientTolerance && newtonSteps < 8 {
            newtonSteps += 1
            let meanHessian = objective.totalHessian(at: theta).elements.map { $0 / Double(objective.customerCount) }
            let curvature = Matrix(rows: theta.count, columns: theta.count, elements: meanHessian)
            guard let step = try? curvature.choleskySolve(gradient) else { break }
            // Near the optimum the likelihood changes by less than its own rounding error (a sum over thousands of
            // customers), so a step is judged by the gradient it leads to, provided the likelihood does not visibly
            // get worse.
            let slack = 1e-12 * max(1, abs(value))
            var scale = 1.0
            var improved = false
            for _ in 0..<20 {
                let candidate = zip(theta, step).map { $0 - scale * $1 }
                let candidateValue = objective.value(candidate)
                if candidateValue <= value + slack {
                    let candidateGradient = objective.slope(at: candidate)
                    if norm(candidateGradient) < norm(gradient) {
                        theta = candidate
                        value = candidateValue
                        gradient = candidateGradient
                        improved = true
                        break
                    }
                }
                scale /= 2
            }
            guard improved else { break }
        }
        iterations += newtonSteps
        let total = Double(objective.customerCount)
        let reaching = runs.filter { ($0.value - value) * total <= 1e-6 }.count
        let gradientNorm = norm(gradient)
        return LogScaleOptimum(
            theta: theta, value: value, gradient: gradient, gradientNorm: gradientNorm, iterations: iterations,
            converged: gradientNorm <= gradientTolerance, startsReachingOptimum: reaching, startsUsed: runs.count)
    }

    private static func norm(_ vector: [Double]) -> Double {
        vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// Simplex, then BFGS, from one start. Keeps whichever stage ended lower.
    private static func optimize(
        _ objective: LogScaleObjective, from start: [Double], maxIterations: Int, tolerance: Double
    ) -> (theta: [Double], value: Double, iterations: Int) {
        let box = ObjectiveBox(objective)
        return withExtendedLifetime(box) {
            let simplexResult = simplex(box, from: start, maxIterations: maxIterations)
            let quasiNewton = bfgs(box, from: simplexResult.theta, maxIterations: maxIterations, tolerance: tolerance)
            let iterations = simplexResult.iterations + quasiNewton.iterations
            if quasiNewton.value <= simplexResult.value && quasiNewton.theta.allSatisfy(\.isFinite) {
                return (quasiNewton.theta, quasiNewton.value, iterations)
            }
            return (simplexResult.theta, simplexResult.value, iterations)
        }
    }

    /// Nelder–Mead until the simplex is 1e-3 across in θ (a 0.1 % change in every parameter).
    private static func simplex(
        _ box: ObjectiveBox, from start: [Double], maxIterations: Int
    ) -> (theta: [Double], value: Double, iterations: Int) {
        let n = start.count
        let function = UnsafeMutablePointer<gsl_multimin_function>.allocate(capacity: 1)
        defer { function.deallocate() }
        function.initialize(
            to: gsl_multimin_function(
                f: { point, parameters in ObjectiveBox.from(parameters).value(point) }, n: n,
                params: Unmanaged.passUnretained(box).toOpaque()))
        guard let minimizer = gsl_multimin_fminimizer_alloc(cgsl_multimin_nmsimplex2(), n) else {
            fatalError("gsl_multimin_fminimizer_alloc: out of memory")
        }
        defer { gsl_multimin_fminimizer_free(minimizer) }
        let initial = GSLVector(start)
        let steps = GSLVector([Double](repeating: 0.5, count: n))
        guard gsl_multimin_fminimizer_set(minimizer, function, initial.pointer, steps.pointer) == 0 else {
            return (start, box.objective.value(start), 0)
        }
        var iterations = 0
        while iterations < maxIterations {
            iterations += 1
            guard gsl_multimin_fminimizer_iterate(minimizer) == 0 else { break }
            if gsl_multimin_test_size(gsl_multimin_fminimizer_size(minimizer), 1e-3) == 0 { break }
        }
        let theta = values(of: minimizer.pointee.x, count: n)
        return (theta, minimizer.pointee.fval, iterations)
    }

    /// BFGS (GSL's `vector_bfgs2`, with its recommended line-search tolerance 0.1) until the gradient norm is at
    /// most `tolerance`, the line search makes no progress, or the iterations run out.
    private static func bfgs(
        _ box: ObjectiveBox, from start: [Double], maxIterations: Int, tolerance: Double
    ) -> (theta: [Double], value: Double, iterations: Int) {
        let n = start.count
        let function = UnsafeMutablePointer<gsl_multimin_function_fdf>.allocate(capacity: 1)
        defer { function.deallocate() }
        function.initialize(
            to: gsl_multimin_function_fdf(
                f: { point, parameters in ObjectiveBox.from(parameters).value(point) },
                df: { point, parameters, gradient in ObjectiveBox.from(parameters).slope(point, into: gradient) },
                fdf: { point, parameters, value, gradient in
                    let box = ObjectiveBox.from(parameters)
                    value?.pointee = box.value(point)
                    box.slope(point, into: gradient)
                }, n: n, params: Unmanaged.passUnretained(box).toOpaque()))
        guard let minimizer = gsl_multimin_fdfminimizer_alloc(cgsl_multimin_vector_bfgs2(), n) else {
            fatalError("gsl_multimin_fdfminimizer_alloc: out of memory")
        }
        defer { gsl_multimin_fdfminimizer_free(minimizer) }
        let initial = GSLVector(start)
        guard gsl_multimin_fdfminimizer_set(minimizer, function, initial.pointer, 0.1, 0.1) == 0 else {
            return (start, .infinity, 0)
        }
        var iterations = 0
        while iterations < maxIterations {
            if gsl_multimin_test_gradient(minimizer.pointee.gradient, tolerance) == 0 { break }
            iterations += 1
            guard gsl_multimin_fdfminimizer_iterate(minimizer) == 0 else { break }
        }
        let theta = values(of: minimizer.pointee.x, count: n)
        let value = minimizer.pointee.f
        return (theta, value.isFinite ? value : .infinity, iterations)
    }

    private static func values(of vector: UnsafePointer<gsl_vector>?, count: Int) -> [Double] {
        (0..<count).map { gsl_vector_get(vector, $0) }
    }
}

/// Carries a ``LogScaleObjective`` through GSL's `void *params`.
private final class ObjectiveBox {
    let objective: LogScaleObjective

    init(_ objective: LogScaleObjective) {
        self.objective = objective
    }

    static func from(_ parameters: UnsafeMutableRawPointer?) -> ObjectiveBox {
        Unmanaged<ObjectiveBox>.fromOpaque(parameters!).takeUnretainedValue()
    }

    private func theta(_ point: UnsafePointer<gsl_vector>?) -> [Double] {
        (0..<objective.dimension).map { gsl_vector_get(point, $0) }
    }

    func value(_ point: UnsafePointer<gsl_vector>?) -> Double {
        objective.value(theta(point))
    }

    func slope(_ point: UnsafePointer<gsl_vector>?, into gradient: UnsafeMutablePointer<gsl_vector>?) {
        for (index, component) in objective.slope(at: theta(point)).enumerated() {
            gsl_vector_set(gradient, index, component)
        }
    }
}
