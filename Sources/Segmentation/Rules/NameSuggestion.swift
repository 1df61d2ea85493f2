/// "Did you mean" for misspelt metric and option names.
enum NameSuggestion {
    /// The candidate nearest to `name` by Damerau–Levenshtein distance, if it is close enough to be a
    /// typo: at most 2 edits, or 3 when the name is longer than 12 characters. Ties go to the earlier
    /// candidate, so the catalog's order decides.
    static func nearest(to name: String, among candidates: some Sequence<String>) -> String? {
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

    /// The unrestricted Damerau–Levenshtein distance (insertions, deletions, substitutions and
    /// transpositions of adjacent characters, edits allowed between transposed ones), after Lowrance
    /// and Wagner (1975).
    ///
    /// - Complexity: O(*m* × *n*) time and space.
    static func damerauLevenshtein(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
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
