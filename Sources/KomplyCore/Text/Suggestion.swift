/// "Did you mean" hints: the known name closest to a mistyped one, when it is close enough to be a typo.
public enum Suggestion {
    /// The candidate nearest to `name` by edit distance (ties go to the alphabetically first), or nil
    /// when none is near: no edit allowed for names of up to 3 characters, one up to 6, two beyond.
    public static func closest(to name: String, among known: some Sequence<String>) -> String? {
        // One edit in a short name is usually another word; allow more as names grow.
        let limit = name.count <= 3 ? 0 : name.count <= 6 ? 1 : 2
        var best: (name: String, distance: Int)?
        for candidate in known where candidate != name {
            let distance = editDistance(name.lowercased(), candidate.lowercased())
            guard distance <= limit else { continue }
            if let current = best, distance > current.distance || (distance == current.distance && candidate >= current.name) { continue }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// Edit distance over Unicode scalars counting a swap of neighbours as one edit (`lnit` → `lint`),
    /// as typing slips do (optimal string alignment); any distance above 2 is reported as 3.
    static func editDistance(_ a: String, _ b: String) -> Int {
        let (x, y) = (Array(a.unicodeScalars), Array(b.unicodeScalars))
        guard abs(x.count - y.count) <= 2 else { return 3 }
        guard !x.isEmpty, !y.isEmpty else { return min(max(x.count, y.count), 3) }
        var before = [Int](repeating: 0, count: y.count + 1)
        var previous = Array(0...y.count)
        for i in 1...x.count {
            var current = [i] + [Int](repeating: 0, count: y.count)
            for j in 1...y.count {
                current[j] = Swift.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { current[j] = Swift.min(current[j], before[j - 2] + 1) }
            }
            before = previous
            previous = current
        }
        return min(previous[y.count], 3)
    }
}
