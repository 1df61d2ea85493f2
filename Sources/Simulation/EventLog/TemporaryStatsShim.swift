// TEMPORARY: stands in for Stats' generator until that module builds; delete before handing over.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum StreamKey {
    static func derive(_ seed: UInt64, _ purpose: UInt64, _ a: UInt64, _ b: UInt64) -> UInt64 {
        var g = SplitMix64(seed: seed ^ purpose &* 0x9E37_79B9_7F4A_7C15)
        g.state ^= a &* 0xD6E8_FEB8_6659_FD93
        _ = g.next()
        g.state ^= b &* 0xA076_1D64_78BD_642F
        return g.next()
    }
}

enum FastSampler {
    static func uniform<G: RandomNumberGenerator>(_ g: inout G) -> Double {
        Double(g.next() >> 11) * 0x1p-53
    }
    static func bernoulli<G: RandomNumberGenerator>(_ p: Double, using g: inout G) -> Bool {
        uniform(&g) < p
    }
    static func lognormal<G: RandomNumberGenerator>(mu: Double, sigma: Double, using g: inout G) -> Double {
        let u1 = 1 - uniform(&g)
        let u2 = uniform(&g)
        let z = (-2 * _log(u1)).squareRoot() * _cos(2 * Double.pi * u2)
        return _exp(mu + sigma * z)
    }
    static func categorical<G: RandomNumberGenerator>(cumulative: UnsafeBufferPointer<Double>, using g: inout G) -> Int {
        let u = uniform(&g) * cumulative[cumulative.count - 1]
        var i = 0
        while i < cumulative.count - 1 && cumulative[i] <= u { i += 1 }
        return i
    }
}
#if canImport(Glibc)
import Glibc
#endif
private func _log(_ x: Double) -> Double { log(x) }
private func _cos(_ x: Double) -> Double { cos(x) }
private func _exp(_ x: Double) -> Double { exp(x) }
