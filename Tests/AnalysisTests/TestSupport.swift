/// `actual` is non-nil and within `tolerance` of `expected`.
func close(_ actual: Double?, _ expected: Double, tolerance: Double = 1e-12) -> Bool {
    guard let actual else { return false }
    return abs(actual - expected) <= tolerance
}
