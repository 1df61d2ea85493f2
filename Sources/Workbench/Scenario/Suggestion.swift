/// "Did you mean" hints for misspelt keys and names.
enum Suggestion {
    /// The candidate the writer most likely meant, or `nil` when none is close.
    ///
    /// Close means an edit distance (with transpositions) of at most 2 that leaves part of the word standing,
    /// or, for words of three letters or more, one being a prefix of the other (`trial` for `trial_days`).
    /// The nearest wins; ties go to the candidate listed first, so hints are stable.
    static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = word.lowercased()
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != word {
            let d = distance(lowered, candidate.lowercased())
            if d <= 2, d < max(lowered.count, 1), best.map({ d < $0.distance }) ?? true {
                best = (d, candidate)
            }
        }
        if let best { return best.name }
        guard lowered.count >= 3 else { return nil }
        return candidates.first { candidate in
            let c = candidate.lowercased()
            return c != lowered && (c.hasPrefix(lowered) || lowered.hasPrefix(c))
        }
    }

    /// `; did you mean 'x'?` or nothing, ready to append to a message.
    static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// Optimal string alignment distance: Levenshtein plus swapping two neighbours, the commonest typo.
    static func distance(_ a: String, _ b: String) -> Int {
        let s = Array(a.unicodeScalars)
        let t = Array(b.unicodeScalars)
        if s.isEmpty { return t.count }
        if t.isEmpty { return s.count }
        let width = t.count + 1
        var d = [Int](repeating: 0, count: (s.count + 1) * width)
        for i in 0...s.count { d[i * width] = i }
        for j in 0...t.count { d[j] = j }
        for i in 1...s.count {
            for j in 1...t.count {
                let cost = s[i - 1] == t[j - 1] ? 0 : 1
                var value = min(d[(i - 1) * width + j] + 1, d[i * width + j - 1] + 1, d[(i - 1) * width + j - 1] + cost)
                if i > 1, j > 1, s[i - 1] == t[j - 2], s[i - 2] == t[j - 1] {
                    value = min(value, d[(i - 2) * width + j - 2] + 1)
                }
                d[i * width + j] = value
            }
        }
        return d[s.count * width + t.count]
    }
}
