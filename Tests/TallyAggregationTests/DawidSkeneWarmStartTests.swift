import Foundation
import Testing
import TallyCore
@testable import TallyAggregation

/// Warm starts: a fitted Dawid-Skene model saved by name (`DawidSkeneParameters`) and resumed on
/// more answers (`InitialConfusions(resuming:)`).
@Suite("Dawid-Skene warm starts: saved models and resumed fits")
struct DawidSkeneWarmStartTests {
    /// A K-label crowd: `tasks` tasks with 5 answers each from `workers` workers (names offset by
    /// `firstWorker`); worker w is right with probability 0.5 + 0.45 · (w mod 10) / 10, otherwise
    /// gives a uniformly drawn label. Task names start at `firstTask`.
    private func crowd(tasks: Int, firstTask: Int = 0, workers: Int, firstWorker: Int = 0, k: Int, seed: UInt64, overlap: Int = 5)
        -> (tasks: [String], workers: [String], labels: [String]) {
        var rng = SplitMix64(seed: seed)
        var t: [String] = [], w: [String] = [], l: [String] = []
        for task in firstTask..<(firstTask + tasks) {
            let truth = Int(rng.next() % UInt64(k))
            var chosen = Set<Int>()
            while chosen.count < overlap { chosen.insert(firstWorker + Int(rng.next() % UInt64(workers))) }
            for worker in chosen.sorted() {
                let skill = 0.5 + 0.45 * Double(worker % 10) / 10
                let right = Double(rng.next() >> 11) / Double(1 << 53) < skill
                t.append("t\(task)")
                w.append("w\(worker)")
                l.append("c\(right ? truth : Int(rng.next() % UInt64(k)))")
            }
        }
        return (t, w, l)
    }

    private func table(_ parts: (tasks: [String], workers: [String], labels: [String])...) throws -> AnswerTable {
        try AnswerTable(tasks: parts.flatMap(\.tasks), workers: parts.flatMap(\.workers), labels: parts.flatMap(\.labels))
    }

    @Test("a saved model reads back equal, byte for byte through the file")
    func roundTrip() throws {
        let answers = try table(crowd(tasks: 400, workers: 30, k: 3, seed: 1))
        for (name, model) in [("ds", try DawidSkene().fit(answers)), ("onecoin-ds", try OneCoinDawidSkene().fit(answers))] {
            let saved = DawidSkeneParameters(model, of: answers, method: name)
            #expect(saved.workers.count == answers.workerCount)
            #expect(saved.labels == answers.labels.names)
            #expect((saved.workers.first?.skill != nil) == (name == "onecoin-ds"))
            let bytes = try saved.jsonBytes()
            let again = try DawidSkeneParameters.decode(Data(bytes), file: "m.json")
            #expect(again == saved)
            #expect(try again.jsonBytes() == bytes)
        }
    }

    @Test("resuming the converged fit on the same answers stops at once with the same labels")
    func resumeSameAnswers() throws {
        let answers = try table(crowd(tasks: 1500, workers: 40, k: 3, seed: 2))
        let cold = try DawidSkene(tolerance: 1e-7).fit(answers)
        let warm = try DawidSkene(tolerance: 1e-7, initialConfusions: InitialConfusions(resuming: DawidSkeneParameters(cold, of: answers, method: "ds")))
            .fit(answers)
        #expect(warm.resumedWorkers == answers.workerCount)
        #expect(warm.labels == cold.labels)
        // The resumed cells are raised to half an answer (see `DawidSkeneEngine.resume`), which EM
        // then takes back: at this tight tolerance that costs a few iterations, still fewer than cold.
        #expect(warm.iterations < cold.iterations, "cold \(cold.iterations), warm \(warm.iterations)")
        // crowd-kit's loss counts the log prior once per answer, so EM need not raise it monotonically:
        // a resumed converged fit moves it only a little.
        #expect(abs(warm.lossHistory.last! - cold.lossHistory.last!) < 1e-5)
    }

    @Test("5 % more answers (new tasks, some new workers): the warm fit starts ahead of a cold one and agrees with it",
          arguments: [2, 4])
    func resumeMoreAnswers(k: Int) throws {
        let old = crowd(tasks: 4000, workers: 60, k: k, seed: 10 + UInt64(k))
        let new = crowd(tasks: 200, firstTask: 4000, workers: 70, firstWorker: 0, k: k, seed: 20 + UInt64(k))
        let before = try table(old), after = try table(old, new)
        for (name, fit) in [("ds", { (t: AnswerTable, i: InitialConfusions?) in try DawidSkene(tolerance: 1e-6, initialConfusions: i).fit(t) }),
                            ("onecoin-ds", { (t: AnswerTable, i: InitialConfusions?) in try OneCoinDawidSkene(tolerance: 1e-6, initialConfusions: i).fit(t) })] {
            let saved = DawidSkeneParameters(try fit(before, nil), of: before, method: name)
            let cold = try fit(after, nil)
            let warm = try fit(after, InitialConfusions(resuming: saved))
            #expect(warm.resumedWorkers == 60, "\(name): workers w60...w69 are new")
            let same = zip(cold.labels, warm.labels).filter { $0 == $1 }.count
            #expect(Double(same) >= 0.995 * Double(after.taskCount), "\(name) K=\(k): \(after.taskCount - same) tasks differ")
            // The first resumed iteration is already past where the cold fit's first one is.
            #expect(warm.lossHistory[0] > cold.lossHistory[0] + 1e-4, "\(name) K=\(k): cold \(cold.lossHistory), warm \(warm.lossHistory)")
            #expect(warm.iterations <= cold.iterations, "\(name) K=\(k): cold \(cold.iterations), warm \(warm.iterations) iterations")
        }
    }

    @Test("the first E-step: workers the model names start from it, workers it lacks from a cold fit's first M-step")
    func startingPoint() throws {
        let old = crowd(tasks: 400, workers: 20, k: 3, seed: 30)
        let new = crowd(tasks: 40, firstTask: 400, workers: 25, k: 3, seed: 31)
        let before = try table(old), after = try table(old, new)
        let saved = DawidSkeneParameters(try DawidSkene().fit(before), of: before, method: "ds")
        // maxIterations 0 returns the parameters the first E-step would use.
        let cold = try DawidSkene(maxIterations: 0).fit(after)
        let warm = try DawidSkene(maxIterations: 0, initialConfusions: InitialConfusions(resuming: saved)).fit(after)
        #expect(warm.resumedWorkers == 20)
        let k = after.labelCount
        var fromModel = 0, fromCold = 0
        for w in 0..<after.workerCount {
            let name = after.workers.name(Int32(w))
            if let m = saved.workers.first(where: { $0.name == name }) {
                // The saved cells, raised to at least half an answer and renormalised over the
                // labels the worker gives: within (K_w + 1) floors of the saved value.
                let answers = Double(after.byWorker.offsets[w + 1] - after.byWorker.offsets[w])
                let given = (0..<k).filter { warm.confusions.isObserved(worker: w, answer: $0) }
                for c in 0..<k {
                    let floor = 0.5 / (answers * warm.priors[c] + 0.5 * Double(given.count))
                    var sum = 0.0
                    for y in given {
                        let i = try #require(m.answers.firstIndex(of: after.labels[y]))
                        let savedCell = m.confusion[i][saved.labels.firstIndex(of: after.labels[c])!]
                        let cell = warm.confusions[w, y, c]
                        #expect(cell >= floor / (1 + Double(given.count) * floor) * (1 - 1e-12), "\(name) (\(y), \(c))")
                        #expect(abs(cell - savedCell) <= Double(given.count + 1) * floor, "\(name) (\(y), \(c)): \(cell) vs \(savedCell)")
                        sum += cell
                    }
                    #expect(abs(sum - 1) < 1e-12)
                }
                fromModel += 1
            } else {
                for y in 0..<k {
                    for c in 0..<k { #expect(warm.confusions[w, y, c] == cold.confusions[w, y, c], "\(name) is new: a cold start") }
                }
                fromCold += 1
            }
        }
        #expect(fromModel == 20 && fromCold == 5)
        for c in 0..<k { #expect(warm.priors[c] == saved.priors[saved.labels.firstIndex(of: after.labels[c])!]) }
        #expect(warm.resumedLoss == nil && warm.iterations == 0)
    }

    @Test("the first resumed iteration gains what refitting the workers to the new answers predicts, and nothing without them")
    func firstIterationGain() throws {
        let old = crowd(tasks: 6000, workers: 50, k: 2, seed: 40)
        let new = crowd(tasks: 300, firstTask: 6000, workers: 50, k: 2, seed: 41)
        let before = try table(old), after = try table(old, new)
        let converged = try DawidSkene(maxIterations: 2000, tolerance: 1e-13).fit(before)
        let saved = DawidSkeneParameters(converged, of: before, method: "ds")
        // The same answers: the converged parameters are a fixed point, the first M-step gains nothing.
        let same = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(before)
        let sameGain = same.lossHistory[0] - (try #require(same.resumedLoss))
        #expect(abs(sameGain) < 1e-9, "gain \(sameGain)")
        #expect(same.iterations == 1)
        // 5 % more answers: each worker's multinomial refitted to m new answers after n earlier ones
        // gains about d m / (2 (n + m)) (d = K (labels given - 1) free parameters), whatever the start.
        let warm = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(after)
        let gain = warm.lossHistory[0] - (try #require(warm.resumedLoss))
        var n = [Int](repeating: 0, count: after.workerCount), m = n
        var given = [Set<Int32>](repeating: [], count: after.workerCount)
        for (i, w) in after.worker.enumerated() {
            if i < before.answerCount { n[Int(w)] += 1 } else { m[Int(w)] += 1 }
            given[Int(w)].insert(after.label[i])
        }
        let k = Double(after.labelCount), total = Double(after.answerCount)
        var predicted = (k - 1) * Double(after.answerCount - before.answerCount) / total / 2
        for w in 0..<after.workerCount { predicted += k * Double(given[w].count - 1) * Double(m[w]) / Double(n[w] + m[w]) / 2 }
        predicted /= total
        #expect(gain > 0.5 * predicted && gain < 2 * predicted, "first iteration gained \(gain), predicted \(predicted)")
    }

    @Test("a mistake the saved model never saw (a confusion cell near 0) does not fix a new task's label: the warm fit labels it as a cold fit does")
    func unseenMistake() throws {
        // w0 was always right on the first 300 tasks; w1...w3 right 80 % of the time. On 30 new
        // tasks w0 always answers the next label and w1...w3 the truth.
        var rng = SplitMix64(seed: 50)
        var t: [String] = [], w: [String] = [], l: [String] = []
        for task in 0..<330 {
            let truth = task % 3
            for worker in 0..<4 {
                var label = truth
                if task >= 300 { label = worker == 0 ? (truth + 1) % 3 : truth }
                else if worker > 0 && rng.next() % 5 == 0 { label = (truth + 1 + Int(rng.next() % 2)) % 3 }
                t.append("t\(task)"); w.append("w\(worker)"); l.append("c\(label)")
            }
        }
        let before = try AnswerTable(tasks: Array(t[..<1200]), workers: Array(w[..<1200]), labels: Array(l[..<1200]))
        let after = try AnswerTable(tasks: t, workers: w, labels: l)
        let earlier = try DawidSkene().fit(before)
        let w0 = try #require(before.workers.lookup("w0"))
        #expect(earlier.confusions[Int(w0), 1, 0] <= 1e-5, "the earlier fit holds w0's c1-for-c0 cell near 0")
        let saved = DawidSkeneParameters(earlier, of: before, method: "ds")
        let cold = try DawidSkene().fit(after)
        let warm = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(after)
        for task in 300..<330 {
            let id = Int(try #require(after.tasks.lookup("t\(task)")))
            #expect(after.labels[Int(cold.labels[id])] == "c\(task % 3)", "cold, t\(task)")
            #expect(warm.labels[id] == cold.labels[id], "warm, t\(task)")
        }
    }

    @Test("a model whose labels differ from the answers' is refused, naming the labels")
    func labelMismatch() throws {
        let answers = try table(crowd(tasks: 200, workers: 10, k: 3, seed: 3))
        var saved = DawidSkeneParameters(try DawidSkene().fit(answers), of: answers, method: "ds")
        saved.labels[2] = "other"
        for w in saved.workers.indices { saved.workers[w].answers = saved.workers[w].answers.map { $0 == "c2" ? "other" : $0 } }
        #expect {
            try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(answers)
        } throws: { error in
            let text = "\(error)"
            return error is AggregationError && text.contains("'c2'") && text.contains("'other'")
        }
    }

    @Test("a worker who now gives a label the model has no row for starts as usual")
    func newLabelForKnownWorker() throws {
        let answers = try table(crowd(tasks: 300, workers: 12, k: 3, seed: 4))
        var saved = DawidSkeneParameters(try DawidSkene().fit(answers), of: answers, method: "ds")
        let i = try #require(saved.workers.firstIndex { $0.answers.count == 3 })
        saved.workers[i].answers.removeLast()
        saved.workers[i].confusion.removeLast()
        let warm = try DawidSkene(initialConfusions: InitialConfusions(resuming: saved)).fit(answers)
        #expect(warm.resumedWorkers == answers.workerCount - 1)
    }

    @Test("bad model files: errors name the file and the field",
          arguments: [
            (#"{"format": "something-else", "version": 1}"#, "format"),
            (#"{"format": "tally-dawid-skene", "version": 9}"#, "version"),
            (#"{"format": "tally-dawid-skene", "version": 1, "method": "ds", "labels": ["a", "b"], "priors": [0.5], "workers": []}"#, "priors"),
            (#"{"format": "tally-dawid-skene", "version": 1, "method": "ds", "labels": ["a", "b"], "priors": [0.5, 0.5], "workers": [{"name": "w", "answers": ["a"], "confusion": [[0.5, "x"]]}]}"#, "workers[0].confusion[0][1]"),
            (#"{"format": "tally-dawid-skene", "version": 1, "method": "ds", "labels": ["a", "b"], "priors": [0.5, 0.5], "workers": [{"name": "w", "answers": ["z"], "confusion": [[0.5, 0.5]]}]}"#, "workers[0].answers[0]"),
            (#"{"format": "tally-dawid-skene", "version": 1, "method": "ds", "labels": ["a", "b"], "priors": [0.5, 0.5], "workers": [{"name": "w", "answers": ["a"], "confusion": [[1.5, 0.5]]}]}"#, "workers[0].confusion[0][0]"),
          ])
    func badFiles(text: String, field: String) throws {
        #expect {
            try DawidSkeneParameters.decode(Data(text.utf8), file: "m.json")
        } throws: { error in
            guard let e = error as? InputError else { return false }
            return e.file == "m.json" && e.field == field
        }
    }
}
