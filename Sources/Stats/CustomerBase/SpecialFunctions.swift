import CGSL

#if canImport(Darwin)
    import Darwin
#elseif canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// GSL special functions and adaptive quadrature in the shapes the customer-base models use.
enum SpecialFunctions {
    /// The Gauss hypergeometric function ₂F₁(a, b; c; z) for 0 ≤ z < 1 (`gsl_sf_hyperg_2F1_e`), or `nil` when GSL
    /// reports an error (no convergence near a singularity, overflow) or returns a non-finite value.
    static func hypergeometric2F1(_ a: Double, _ b: Double, _ c: Double, _ z: Double) -> Double? {
        GSL.ensureInitialized()
        var result = gsl_sf_result()
        let status = gsl_sf_hyperg_2F1_e(a, b, c, z, &result)
        guard status == 0, result.val.isFinite else { return nil }
        return result.val
    }

    /// log(e^a + e^b), exact when either is −∞.
    static func logAddExp(_ a: Double, _ b: Double) -> Double {
        if a == -.infinity { return b }
        if b == -.infinity { return a }
        let high = max(a, b)
        return high + log1p(exp(-abs(a - b)))
    }

    /// ∫ₗᵘ f, by GSL's adaptive Gauss–Kronrod rules: `gsl_integration_qag` (21-point rule) for a smooth integrand,
    /// or `gsl_integration_qags` (with extrapolation) when `singularAtEnds` — an integrable singularity at an end.
    /// Returns `nil` when GSL cannot reach the relative tolerance.
    static func integrate(
        from lower: Double, to upper: Double, relativeTolerance: Double = 1e-11, singularAtEnds: Bool = false,
        _ integrand: (Double) -> Double
    ) -> Double? {
        GSL.ensureInitialized()
        let limit = 200
        guard let workspace = gsl_integration_workspace_alloc(limit) else { return nil }
        defer { gsl_integration_workspace_free(workspace) }
        return withoutActuallyEscaping(integrand) { escapable in
            let box = IntegrandBox(escapable)
            var function = gsl_function(
                function: { point, parameters in
                    Unmanaged<IntegrandBox>.fromOpaque(parameters!).takeUnretainedValue().integrand(point)
                },
                params: Unmanaged.passUnretained(box).toOpaque())
            var result = 0.0
            var error = 0.0
            let status =
                singularAtEnds
                ? gsl_integration_qags(
                    &function, lower, upper, 0, relativeTolerance, limit, workspace, &result, &error)
                : gsl_integration_qag(
                    &function, lower, upper, 0, relativeTolerance, limit, Int32(GSL_INTEG_GAUSS21), workspace,
                    &result, &error)
            return withExtendedLifetime(box) { status == 0 && result.isFinite ? result : nil }
        }
    }
}

/// Carries a Swift closure through GSL's `void *params`.
private final class IntegrandBox {
    let integrand: (Double) -> Double
    init(_ integrand: @escaping (Double) -> Double) {
        self.integrand = integrand
    }
}
