/// Word error rate of aggregated transcriptions against gold transcripts, as jiwer computes it.
///
/// Each scored task's hypothesis and reference are cut into words by one ``TextTokenizer`` and
/// aligned by the word-level Levenshtein distance: substitutions, deletions and insertions, each
/// costing 1. ``wer`` is jiwer's corpus rate over all scored tasks, `(S + D + I) / N` with `N`
/// the number of reference words (jiwer's `wer(references, hypotheses)` for lists; when the
/// references hold no word at all, the number of insertions, as jiwer 4 gives it).
/// ``meanTaskWER`` is the mean of the per-task rates (each task's rate computed the same way),
/// the "average WER" of crowd-kit's paper. jiwer's default transformation splits at spaces after
/// collapsing runs of whitespace; ``TextTokenizer/whitespace`` (the default) agrees with it
/// whenever the texts separate words with spaces.
///
///     let w = WordErrorRate(predictions: ["t1": "a b d e"], gold: ["t1": "a b c"])
///     w.wer      // 0.666…: one substitution (c→d) and one insertion (e) over 3 reference words
///     w.errors   // 2
public struct WordErrorRate: Sendable {
    /// One scored task.
    public struct Task: Sendable, Equatable {
        /// The task's name.
        public let task: String
        /// Words of the gold transcript.
        public let referenceWords: Int
        /// Words of the prediction.
        public let hypothesisWords: Int
        /// Minimal substitutions + deletions + insertions.
        public let errors: Int
        /// Substitutions in the alignment found.
        public let substitutions: Int
        /// Deletions (reference words missing from the prediction).
        public let deletions: Int
        /// Insertions (prediction words not in the reference).
        public let insertions: Int
        /// `errors / referenceWords`; `insertions` when the reference has no word (jiwer).
        public var wer: Double { referenceWords == 0 ? Double(insertions) : Double(errors) / Double(referenceWords) }
    }

    /// Scored tasks (gold tasks with a prediction), in the gold's sorted task order.
    public let tasks: [Task]
    /// Gold tasks given.
    public let goldTasks: Int
    /// The tokenizer used.
    public let tokenizer: TextTokenizer

    /// Gold tasks that have a prediction.
    public var scored: Int { tasks.count }
    /// Sum of the tasks' errors.
    public var errors: Int { tasks.reduce(0) { $0 + $1.errors } }
    /// Sum of substitutions.
    public var substitutions: Int { tasks.reduce(0) { $0 + $1.substitutions } }
    /// Sum of deletions.
    public var deletions: Int { tasks.reduce(0) { $0 + $1.deletions } }
    /// Sum of insertions.
    public var insertions: Int { tasks.reduce(0) { $0 + $1.insertions } }
    /// Reference words over the scored tasks.
    public var referenceWords: Int { tasks.reduce(0) { $0 + $1.referenceWords } }
    /// Corpus word error rate, jiwer's `wer(references, hypotheses)` (NaN when nothing is scored).
    public var wer: Double {
        guard !tasks.isEmpty else { return .nan }
        let n = referenceWords
        return n == 0 ? Double(insertions) : Double(errors) / Double(n)
    }
    /// Mean of the per-task rates (NaN when nothing is scored).
    public var meanTaskWER: Double { tasks.isEmpty ? .nan : tasks.reduce(0) { $0 + $1.wer } / Double(tasks.count) }

    /// Scores `predictions` (task → text) against `gold` (task → text), cutting words with `tokenizer`.
    public init(predictions: [String: String], gold: [String: String], tokenizer: TextTokenizer = .whitespace) {
        var scoredTasks: [Task] = []
        for task in gold.keys.sorted() {
            guard let hyp = predictions[task] else { continue }
            scoredTasks.append(Self.score(task: task, reference: gold[task]!, hypothesis: hyp, tokenizer: tokenizer))
        }
        tasks = scoredTasks
        goldTasks = gold.count
        self.tokenizer = tokenizer
    }

    /// One task's alignment of `hypothesis` against `reference`.
    public static func score(task: String, reference: String, hypothesis: String, tokenizer: TextTokenizer = .whitespace) -> Task {
        var ids: [CodePointKey: Int32] = [:]
        func encode(_ s: String) -> [Int32] {
            var out: [Int32] = []
            tokenizer.forEachWord(in: s) { r in
                let key = CodePointKey(s[r])
                if let id = ids[key] { out.append(id) } else {
                    let id = Int32(ids.count)
                    ids[key] = id
                    out.append(id)
                }
            }
            return out
        }
        let ref = encode(reference), hyp = encode(hypothesis)
        let (s, d, i) = editCounts(ref, hyp)
        return Task(task: task, referenceWords: ref.count, hypothesisWords: hyp.count, errors: s + d + i, substitutions: s, deletions: d, insertions: i)
    }

    /// Substitutions, deletions and insertions of one minimal alignment of `hyp` against `ref`,
    /// the one rapidfuzz's `Levenshtein.opcodes` (so jiwer 4) reports: the common prefix and
    /// suffix are matched first; in the rest, walking back from the end, a reference word is
    /// deleted when that is optimal, else a hypothesis word is inserted when the cell to the left
    /// lies below the diagonal one, else the two words are matched or substituted.
    static func editCounts(_ fullRef: [Int32], _ fullHyp: [Int32]) -> (Int, Int, Int) {
        var lo = 0
        while lo < fullRef.count && lo < fullHyp.count && fullRef[lo] == fullHyp[lo] { lo += 1 }
        var suffix = 0
        while suffix < fullRef.count - lo && suffix < fullHyp.count - lo
                && fullRef[fullRef.count - 1 - suffix] == fullHyp[fullHyp.count - 1 - suffix] { suffix += 1 }
        let ref = fullRef[lo..<fullRef.count - suffix], hyp = fullHyp[lo..<fullHyp.count - suffix]
        let n = ref.count, m = hyp.count
        if n == 0 { return (0, 0, m) }
        if m == 0 { return (0, n, 0) }
        let w = m + 1
        var d = [Int32](repeating: 0, count: (n + 1) * w)
        for j in 0...m { d[j] = Int32(j) }
        for i in 1...n {
            d[i * w] = Int32(i)
            let r = ref[lo + i - 1]
            for j in 1...m {
                let diag = d[(i - 1) * w + j - 1] + (r == hyp[lo + j - 1] ? 0 : 1)
                d[i * w + j] = min(diag, d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1)
            }
        }
        var i = n, j = m, s = 0, del = 0, ins = 0
        while i > 0 && j > 0 {
            if d[i * w + j] == d[(i - 1) * w + j] + 1 {
                del += 1; i -= 1
            } else if d[(i - 1) * w + j - 1] == d[i * w + j - 1] + 1 {
                ins += 1; j -= 1
            } else {
                if ref[lo + i - 1] != hyp[lo + j - 1] { s += 1 }
                i -= 1; j -= 1
            }
        }
        return (s, del + i, ins + j)
    }
}
