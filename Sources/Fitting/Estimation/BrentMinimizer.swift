/// Brent's minimisation of a function of one variable on an interval, without derivatives: golden-section steps
/// that always make progress, replaced by parabolic interpolation wherever that is safe.
///
/// A transcription of `localmin` from R. P. Brent, "Algorithms for Minimization without Derivatives", Prentice-Hall
/// 1973, chapter 5 (as in Netlib's `fmin.f`). For a unimodal function it finds the minimum to within
/// `2·(√ε·|x| + tolerance/3)`; otherwise a local minimum.
enum BrentMinimizer {
    /// The point of [lower, upper] where `f` is smallest (locally), and the value there.
    static func minimize(
        in lower: Double, _ upper: Double, tolerance: Double, _ f: (Double) -> Double
    ) -> (x: Double, value: Double) {
        let golden = 0.5 * (3 - 5.0.squareRoot())
        let eps = Double.ulpOfOne.squareRoot()
        var a = lower
        var b = upper
        var x = a + golden * (b - a)
        var w = x
        var v = x
        var fx = f(x)
        var fw = fx
        var fv = fx
        // e: the distance moved on the step before last; d: the step being taken.
        var e = 0.0
        var d = 0.0
        while true {
            let middle = 0.5 * (a + b)
            let tol1 = eps * abs(x) + tolerance / 3
            let tol2 = 2 * tol1
            if abs(x - middle) <= tol2 - 0.5 * (b - a) { break }
            var parabolic = false
            if abs(e) > tol1 {
                // Fit a parabola through x, w and v.
                var r = (x - w) * (fx - fv)
                var q = (x - v) * (fx - fw)
                var p = (x - v) * q - (x - w) * r
                q = 2 * (q - r)
                if q > 0 { p = -p }
                q = abs(q)
                r = e
                e = d
                // Accept it only if it falls inside (a, b) and moves less than half the step before last.
                if abs(p) < abs(0.5 * q * r), p > q * (a - x), p < q * (b - x) {
                    d = p / q
                    let u = x + d
                    if u - a < tol2 || b - u < tol2 { d = signed(tol1, middle - x) }
                    parabolic = true
                }
            }
            if !parabolic {
                e = x >= middle ? a - x : b - x
                d = golden * e
            }
            let u = abs(d) >= tol1 ? x + d : x + signed(tol1, d)
            let fu = f(u)
            if fu <= fx {
                if u >= x { a = x } else { b = x }
                (v, fv) = (w, fw)
                (w, fw) = (x, fx)
                (x, fx) = (u, fu)
            } else {
                if u < x { a = u } else { b = u }
                if fu <= fw || w == x {
                    (v, fv) = (w, fw)
                    (w, fw) = (u, fu)
                } else if fu <= fv || v == x || v == w {
                    (v, fv) = (u, fu)
                }
            }
        }
        return (x, fx)
    }

    /// |magnitude| with the sign of `sign` (Fortran's SIGN; + for 0).
    private static func signed(_ magnitude: Double, _ sign: Double) -> Double {
        sign >= 0 ? abs(magnitude) : -abs(magnitude)
    }
}
