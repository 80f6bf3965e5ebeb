/// Line-based differences between two texts, printed as a unified diff (`diff -u`, `git diff`).
///
/// The edit script is a shortest one (Myers' O(ND) algorithm); within a change the removed lines
/// come before the added ones, hunks carry `context` unchanged lines on each side and merge when
/// their context would touch, and a last line without a newline gets the
/// `\ No newline at end of file` marker, so `patch` reproduces `new` byte for byte.
public enum TextDiff {
    /// The unified diff turning `old` into `new`, headed `--- oldName` / `+++ newName`; "" when equal.
    ///
    /// With `maskingSecrets`, every shown line passes through `SecretMask` first: the diff is for
    /// reading (terminals, CI logs), no longer for `patch`. With `trustingNew` as well, only removed lines
    /// are masked: `new` is komply's own output, which holds no secret values, and context lines are the
    /// same in both, so the diff still applies wherever no removed line was masked.
    public static func unified(
        old: String, new: String, oldName: String, newName: String, context: Int = 3, maskingSecrets: Bool = false,
        trustingNew: Bool = false
    ) -> String {
        guard old != new else { return "" }
        var a = DiffLine.split(old)
        var b = DiffLine.split(new)
        let script = editScript(a, b)
        if maskingSecrets {
            a = DiffLine.masked(a)
            if !trustingNew { b = DiffLine.masked(b) }
        }
        var out = "--- \(oldName)\n+++ \(newName)\n"
        for hunk in hunks(script, context: max(0, context)) {
            render(hunk, script: script, a: a, b: b, into: &out)
        }
        return out
    }

    /// One step of an edit script: keep old line `old` (= new line `new`), drop old line `old`, or add new line `new`.
    enum Edit: Equatable {
        case keep(old: Int, new: Int)
        case delete(old: Int)
        case insert(new: Int)

        var isKeep: Bool {
            if case .keep = self { return true }
            return false
        }
    }

    /// A shortest edit script from `a` to `b`, deletions before insertions inside each change.
    static func editScript<T: Hashable>(_ a: [T], _ b: [T]) -> [Edit] {
        // Interning makes comparisons in the inner loop integer compares.
        var ids: [T: Int] = [:]
        func intern(_ line: T) -> Int {
            if let id = ids[line] { return id }
            ids[line] = ids.count
            return ids.count - 1
        }
        let xa = a.map(intern)
        let y = b.map(intern)
        var prefix = 0
        while prefix < xa.count, prefix < y.count, xa[prefix] == y[prefix] { prefix += 1 }
        var suffix = 0
        while suffix < xa.count - prefix, suffix < y.count - prefix, xa[xa.count - 1 - suffix] == y[y.count - 1 - suffix] {
            suffix += 1
        }
        var script = (0..<prefix).map { Edit.keep(old: $0, new: $0) }
        let middle = myers(Array(xa[prefix..<(xa.count - suffix)]), Array(y[prefix..<(y.count - suffix)]))
        for edit in middle {
            switch edit {
            case .keep(let i, let j): script.append(.keep(old: i + prefix, new: j + prefix))
            case .delete(let i): script.append(.delete(old: i + prefix))
            case .insert(let j): script.append(.insert(new: j + prefix))
            }
        }
        for k in 0..<suffix {
            script.append(.keep(old: xa.count - suffix + k, new: y.count - suffix + k))
        }
        return normalized(script)
    }
}

/// A line's text without its newline, and whether the newline was there (only the last line can lack it).
struct DiffLine: Hashable {
    var text: Substring
    var terminated: Bool

    /// The lines with their secret values masked (`SecretMask`), each read under the line before it.
    static func masked(_ lines: [DiffLine]) -> [DiffLine] {
        lines.indices.map { index in
            let previous = index > 0 ? lines[index - 1].text : nil
            return DiffLine(text: Substring(SecretMask.masked(lines[index].text, previous: previous)), terminated: lines[index].terminated)
        }
    }

    /// Splits at "\n" bytes only, so "\r\n" keeps its "\r" and every byte is accounted for.
    static func split(_ text: String) -> [DiffLine] {
        guard !text.isEmpty else { return [] }
        let parts = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var lines = parts.map { DiffLine(text: Substring($0), terminated: true) }
        if lines.last?.text.isEmpty == true {
            lines.removeLast()
        } else {
            lines[lines.count - 1].terminated = false
        }
        return lines
    }
}

private extension TextDiff {
    /// Myers' greedy forward search, remembering each round's frontier to walk the path back.
    static func myers(_ a: [Int], _ b: [Int]) -> [Edit] {
        let n = a.count
        let m = b.count
        if n == 0 { return (0..<m).map { Edit.insert(new: $0) } }
        if m == 0 { return (0..<n).map { Edit.delete(old: $0) } }
        let limit = n + m
        let offset = limit + 1
        var v = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d] holds v[-(d+1)...(d+1)] as it was when round d started.
        var trace: [[Int]] = []
        search: for d in 0...limit {
            trace.append(Array(v[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    k == -d || (k != d && v[offset + k - 1] < v[offset + k + 1])
                    ? v[offset + k + 1] : v[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, a[x] == b[y] {
                    x += 1
                    y += 1
                }
                v[offset + k] = x
                if x >= n, y >= m { break search }
            }
        }
        var edits: [Edit] = []
        var x = n
        var y = m
        for d in stride(from: trace.count - 1, through: 0, by: -1) {
            let frontier = trace[d]
            let at = { (k: Int) in frontier[k + d + 1] }
            let k = x - y
            let previousK = k == -d || (k != d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
            let previousX = at(previousK)
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                edits.append(.keep(old: x, new: y))
            }
            if d > 0 {
                if x == previousX { edits.append(.insert(new: y - 1)) } else { edits.append(.delete(old: x - 1)) }
            }
            x = previousX
            y = previousY
        }
        return edits.reversed()
    }

    /// Reorders each run of changes so its deletions precede its insertions, as `diff -u` prints them.
    static func normalized(_ script: [Edit]) -> [Edit] {
        var out: [Edit] = []
        out.reserveCapacity(script.count)
        var inserts: [Edit] = []
        for edit in script {
            switch edit {
            case .keep:
                out += inserts
                inserts.removeAll()
                out.append(edit)
            case .delete: out.append(edit)
            case .insert: inserts.append(edit)
            }
        }
        return out + inserts
    }

    /// Index ranges of `script` shown as hunks: each run of changes with up to `context` kept
    /// lines on each side, neighbours merged when their context touches or overlaps.
    static func hunks(_ script: [Edit], context: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = 0
        while i < script.count {
            guard !script[i].isKeep else {
                i += 1
                continue
            }
            var end = i
            while end < script.count, !script[end].isKeep { end += 1 }
            let range = max(0, i - context)..<min(script.count, end + context)
            if let last = ranges.last, range.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound..<range.upperBound
            } else {
                ranges.append(range)
            }
            i = end
        }
        return ranges
    }

    static func render(_ hunk: Range<Int>, script: [Edit], a: [DiffLine], b: [DiffLine], into out: inout String) {
        // Lines of each side consumed before the hunk: the edits before it say how many.
        var oldBefore = 0
        var newBefore = 0
        for edit in script[..<hunk.lowerBound] {
            switch edit {
            case .keep: oldBefore += 1; newBefore += 1
            case .delete: oldBefore += 1
            case .insert: newBefore += 1
            }
        }
        var oldCount = 0
        var newCount = 0
        var body = ""
        for edit in script[hunk] {
            let (marker, line): (String, DiffLine)
            switch edit {
            case .keep(_, let j):
                // The same text on both sides; `b`'s is unmasked when `new` is trusted.
                (marker, line) = (" ", b[j])
                oldCount += 1
                newCount += 1
            case .delete(let i):
                (marker, line) = ("-", a[i])
                oldCount += 1
            case .insert(let j):
                (marker, line) = ("+", b[j])
                newCount += 1
            }
            body += marker
            body += line.text
            body += line.terminated ? "\n" : "\n\\ No newline at end of file\n"
        }
        out += "@@ -\(span(oldBefore, oldCount)) +\(span(newBefore, newCount)) @@\n"
        out += body
    }

    /// `start,count` as unified diffs write it: an empty side names the line before it, a count of 1 is left out.
    static func span(_ before: Int, _ count: Int) -> String {
        switch count {
        case 0: return "\(before),0"
        case 1: return "\(before + 1)"
        default: return "\(before + 1),\(count)"
        }
    }
}
