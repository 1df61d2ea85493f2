/// "Did you mean": the one implementation behind every suggestion SegmentLab makes, for scenario
/// and taxonomy keys and references as for metric and option names in rules.
public enum NameSuggestion {
    /// The candidate nearest to `name` by Damerau–Levenshtein distance, if it is close enough to be a
    /// typo: at most 2 edits, or 3 when the name is longer than 12 characters. Ties go to the earlier
    /// candidate, so the catalog's order decides. Used for rule names, which are case-sensitive.
    public static func nearest(to name: String, among candidates: some Sequence<String>) -> String? {
        let typed = Array(name.unicodeScalars)
        let limit = typed.count > 12 ? 3 : 2
        var best: (name: String, distance: Int)?
        for candidate in candidates {
            let distance = damerauLevenshtein(typed, Array(candidate.unicodeScalars))
            if distance <= limit, distance < best?.distance ?? .max {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// The candidate a writer of a file most likely meant, or `nil` when none is close.
    ///
    /// Case is ignored. Close means at most 2 edits (a swap of neighbours counting as one) that leave
    /// part of the word standing, or, for words of three letters or more, one being a prefix of the
    /// other (`trial` for `trial_days`). The nearest wins; ties go to the candidate listed first.
    public static func closest(to word: String, among candidates: [String]) -> String? {
        let lowered = Array(word.lowercased().unicodeScalars)
        var best: (distance: Int, name: String)?
        for candidate in candidates where candidate != word {
            let d = damerauLevenshtein(lowered, Array(candidate.lowercased().unicodeScalars))
            if d <= 2, d < max(lowered.count, 1), best.map({ d < $0.distance }) ?? true {
                best = (d, candidate)
            }
        }
        if let best { return best.name }
        guard lowered.count >= 3 else { return nil }
        let text = word.lowercased()
        return candidates.first { candidate in
            let c = candidate.lowercased()
            return c != text && (c.hasPrefix(text) || text.hasPrefix(c))
        }
    }

    /// `; did you mean 'x'?` or nothing, ready to append to a message.
    public static func hint(for word: String, among candidates: [String]) -> String {
        closest(to: word, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
    }

    /// The unrestricted Damerau–Levenshtein distance (insertions, deletions, substitutions and
    /// transpositions of adjacent characters, edits allowed between transposed ones), after Lowrance
    /// and Wagner (1975).
    ///
    /// - Complexity: O(*m* × *n*) time and space.
    public static func damerauLevenshtein(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        let infinity = a.count + b.count
        let width = b.count + 2
        // Row i + 1 and column j + 1 hold the distance between a[..<i] and b[..<j]; row and column 0
        // are a border of "infinity".
        var d = [Int](repeating: 0, count: (a.count + 2) * width)
        d[0] = infinity
        for i in 0...a.count {
            d[(i + 1) * width] = infinity
            d[(i + 1) * width + 1] = i
        }
        for j in 0...b.count {
            d[j + 1] = infinity
            d[width + j + 1] = j
        }
        // The last row of `a` where each character was seen.
        var lastRow: [Unicode.Scalar: Int] = [:]
        for i in 1...a.count {
            var lastMatchColumn = 0
            for j in 1...b.count {
                let k = lastRow[b[j - 1]] ?? 0
                let l = lastMatchColumn
                var cost = 1
                if a[i - 1] == b[j - 1] {
                    cost = 0
                    lastMatchColumn = j
                }
                d[(i + 1) * width + j + 1] = min(
                    d[i * width + j] + cost,
                    d[(i + 1) * width + j] + 1,
                    d[i * width + j + 1] + 1,
                    d[k * width + l] + (i - k - 1) + 1 + (j - l - 1))
            }
            lastRow[a[i - 1]] = i
        }
        return d[(a.count + 1) * width + b.count + 1]
    }
}
