/// "Did you mean" hints for misspelt taxonomy keys.
enum Suggestion {
    /// The candidate closest to `word` by edit distance (a swap of neighbours counts as one edit), when at
    /// most two edits away and not a complete rewrite; else a candidate that extends or shortens it.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != word {
            let d = distance(Array(lowered.unicodeScalars), Array(candidate.lowercased().unicodeScalars))
            if d <= 2, d < lowered.unicodeScalars.count, best.map({ d < $0.distance }) ?? true {
                best = (d, candidate)
            }
        }
        if let best { return best.name }
        guard lowered.count >= 3 else { return nil }
        return candidates.first { $0.lowercased().hasPrefix(lowered) || lowered.hasPrefix($0.lowercased()) }
    }

    /// Optimal string alignment distance.
    static func distance(_ s: [Unicode.Scalar], _ t: [Unicode.Scalar]) -> Int {
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        let w = t.count + 1
        var d = [Int](repeating: 0, count: (s.count + 1) * w)
        for i in 0...s.count { d[i * w] = i }
        for j in 0...t.count { d[j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                var v = min(
                    d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                    d[(i - 1) * w + j - 1] + (s[i - 1] == t[j - 1] ? 0 : 1))
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] { v = min(v, d[(i - 2) * w + j - 2] + 1) }
                d[i * w + j] = v
            }
        }
        return d[s.count * w + t.count]
    }
}
