import TallyCore

/// Recognizer Output Voting Error Reduction (Fiscus 1997), as crowd-kit 1.4.2's `ROVER` computes it.
///
/// Per task, the transcriptions are taken in input order and cut into words. The first one makes
/// a word transition network: one slot per word, each slot a set of candidate words with vote
/// counts. Every further transcription (the `k`-th, counting from 0) is aligned to the network by
/// dynamic programming — a slot matches a word at cost 0 when the word is among its candidates
/// and at cost 1 otherwise; skipping a slot costs 1 unless the slot already holds the empty word
/// (the first row costs 1 per slot regardless); an extra word costs 1 — ties going to the match,
/// then the skip, then the extra word, as Python's `min` over crowd-kit's list of options does.
/// Walking back from the end, a matched slot gains the word (or one vote for it), a skipped slot
/// gains one vote for the empty word, and an extra word makes a new slot holding the empty word
/// with `k` votes beside the word with one. Each slot then votes: most votes, then the longest
/// word (in code points), then the largest word by code points (crowd-kit's
/// `max((count, len(value), value))`); empty winners are dropped and the rest joined by the
/// ``TextDetokenizer``. The empty words a ``TextTokenizer/space`` tokenizer makes are the same
/// word as the empty word of a skip, as in crowd-kit.
///
///     let t = try TextAnswers(tasks: ["t1", "t1", "t1"], workers: ["w1", "w2", "w3"],
///                             texts: ["a b c d", "b z d e", "b c d e f"])
///     ROVER(tokenizer: .space).fit(t)   // ["b c d e"]
///
/// crowd-kit's `silent` (a tqdm progress bar) has no counterpart: tasks are aggregated
/// independently, on ``ExecutionSettings/threads`` threads, and the result does not depend on it.
public struct ROVER: Sendable {
    /// How each transcription is cut into words.
    public var tokenizer: TextTokenizer
    /// How the winning words are joined.
    public var detokenizer: TextDetokenizer
    /// Threads (tasks are split between them).
    public var execution: ExecutionSettings

    /// ROVER with the given tokenisation.
    public init(tokenizer: TextTokenizer = .whitespace, detokenizer: TextDetokenizer = .space, execution: ExecutionSettings = ExecutionSettings()) {
        self.tokenizer = tokenizer
        self.detokenizer = detokenizer
        self.execution = execution
    }

    /// The aggregated text of every task, by task id.
    public func fit(_ answers: TextAnswers) -> [String] {
        // Answers grouped by task, each group in input order (a stable counting sort).
        let tasks = answers.taskCount
        var offsets = [Int](repeating: 0, count: tasks + 1)
        for t in answers.task { offsets[Int(t) + 1] += 1 }
        for t in 0..<tasks { offsets[t + 1] += offsets[t] }
        var order = [Int](repeating: 0, count: answers.answerCount)
        var next = offsets
        for (i, t) in answers.task.enumerated() {
            order[next[Int(t)]] = i
            next[Int(t)] += 1
        }
        let parts = balancedParts(offsets, count: answers.answerCount < 2_000 ? 1 : execution.threads)
        var out = [String](repeating: "", count: tasks)
        let texts = answers.text, grouped = order, starts = offsets
        out.withUnsafeMutableBufferPointer { buffer in
            let target = UncheckedSendable(buffer)
            let rover = self
            parallelFor(parts.count) { p in
                for t in parts[p] {
                    let group = grouped[starts[t]..<starts[t + 1]].map { texts[$0] }
                    target.value[t] = rover.aggregate(group)
                }
            }
        }
        return out
    }

    /// The aggregated text of one task's transcriptions, given in input order.
    public func aggregate(_ texts: [String]) -> String {
        var network = WordNetwork()
        for (k, text) in texts.enumerated() {
            var words: [Int32] = []
            tokenizer.forEachWord(in: text) { words.append(network.id(of: text[$0])) }
            if k == 0 { network.start(words) } else { network.align(words, sources: Int32(k)) }
        }
        return detokenizer.join(network.winners())
    }
}

/// crowd-kit's list of edge dictionaries, flat: slot `s` holds the candidates
/// `word[start[s] ..< start[s + 1]]` with their votes `count[…]`.
struct WordNetwork {
    /// Word ids by text (code-point equality); id 0 is the empty word.
    private var ids: [CodePointKey: Int32] = [CodePointKey(""): 0]
    /// Words by id.
    private var words: [Substring] = [""]
    private var start: [Int] = [0]
    private var word: [Int32] = []
    private var count: [Int32] = []

    var slotCount: Int { start.count - 1 }

    /// The id of `w`, added if new.
    mutating func id(of w: Substring) -> Int32 {
        let key = CodePointKey(w)
        if let id = ids[key] { return id }
        let id = Int32(words.count)
        ids[key] = id
        words.append(w)
        return id
    }

    /// The network of the first transcription: one slot per word, one vote each.
    mutating func start(_ hyp: [Int32]) {
        start = Array(0...hyp.count)
        word = hyp
        count = [Int32](repeating: 1, count: hyp.count)
    }

    private func slotHolds(_ s: Int, _ w: Int32) -> Bool {
        for e in start[s]..<start[s + 1] where word[e] == w { return true }
        return false
    }

    /// Aligns one more transcription (`sources` of them aligned before) and merges it in.
    mutating func align(_ hyp: [Int32], sources: Int32) {
        let r = slotCount, h = hyp.count, w = r + 1
        // distance[i][j]: hyp[..<i] against slots[..<j]; action: 0 match/substitute, 1 skip slot (deletion), 2 extra word (insertion).
        var distance = [Int32](repeating: 0, count: (h + 1) * w)
        var action = [UInt8](repeating: 0, count: (h + 1) * w)
        for j in 0...r { distance[j] = Int32(j); action[j] = 1 }
        var hasEmpty = [Bool](repeating: false, count: r)
        for s in 0..<r { hasEmpty[s] = slotHolds(s, 0) }
        if h > 0 {
            for i in 1...h {
                distance[i * w] = Int32(i)
                action[i * w] = 2
                let x = hyp[i - 1]
                for j in stride(from: 1, through: r, by: 1) {
                    let diagonal = distance[(i - 1) * w + j - 1] + (slotHolds(j - 1, x) ? 0 : 1)
                    let deletion = distance[i * w + j - 1] + (hasEmpty[j - 1] ? 0 : 1)
                    let insertion = distance[(i - 1) * w + j] + 1
                    var best = diagonal, a: UInt8 = 0
                    if deletion < best { best = deletion; a = 1 }
                    if insertion < best { best = insertion; a = 2 }
                    distance[i * w + j] = best
                    action[i * w + j] = a
                }
            }
        }
        // Walk back, building the merged slots from the end.
        var newStart: [Int] = [], newWord: [Int32] = [], newCount: [Int32] = []
        newWord.reserveCapacity(word.count + h + r)
        newCount.reserveCapacity(word.count + h + r)
        var i = h, j = r
        func add(_ w: Int32, _ c: Int32, from: Int) {
            for e in from..<newWord.count where newWord[e] == w { newCount[e] += c; return }
            newWord.append(w)
            newCount.append(c)
        }
        while i != 0 || j != 0 {
            let a = action[i * w + j]
            let first = newWord.count
            newStart.append(first)
            if a == 2 {
                newWord.append(0)
                newCount.append(sources)
                add(hyp[i - 1], 1, from: first)
                i -= 1
            } else {
                for e in start[j - 1]..<start[j] {
                    newWord.append(word[e])
                    newCount.append(count[e])
                }
                if a == 0 {
                    add(hyp[i - 1], 1, from: first)
                    i -= 1
                } else {
                    add(0, 1, from: first)
                }
                j -= 1
            }
        }
        // Reverse the slot order (each slot's candidates keep theirs).
        let slots = newStart.count
        newStart.append(newWord.count)
        var s = [Int](), wd = [Int32](), ct = [Int32]()
        s.reserveCapacity(slots + 1)
        wd.reserveCapacity(newWord.count)
        ct.reserveCapacity(newWord.count)
        for k in stride(from: slots - 1, through: 0, by: -1) {
            s.append(wd.count)
            wd.append(contentsOf: newWord[newStart[k]..<newStart[k + 1]])
            ct.append(contentsOf: newCount[newStart[k]..<newStart[k + 1]])
        }
        s.append(wd.count)
        start = s
        word = wd
        count = ct
    }

    /// Each slot's winner (most votes, then longest in code points, then largest by code
    /// points), empty winners left out.
    func winners() -> [Substring] {
        var out: [Substring] = []
        out.reserveCapacity(slotCount)
        for s in 0..<slotCount {
            var best = start[s]
            for e in start[s] + 1..<max(start[s] + 1, start[s + 1]) where beats(e, best) { best = e }
            if word[best] != 0 { out.append(words[Int(word[best])]) }
        }
        return out
    }

    /// Whether candidate `a` beats candidate `b` in crowd-kit's `max((count, len, value))`.
    private func beats(_ a: Int, _ b: Int) -> Bool {
        if count[a] != count[b] { return count[a] > count[b] }
        let x = words[Int(word[a])], y = words[Int(word[b])]
        let lx = x.unicodeScalars.count, ly = y.unicodeScalars.count
        if lx != ly { return lx > ly }
        return y.utf8.lexicographicallyPrecedes(x.utf8)
    }
}
