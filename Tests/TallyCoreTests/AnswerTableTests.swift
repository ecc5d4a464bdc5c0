import Foundation
import Testing
import TallyCore

@Suite("AnswerTable")
struct AnswerTableTests {
    // labels first seen b, a, c → LabelSet a=0, b=1, c=2 (K = 3)
    static let text = "task\tworker\tlabel\nt1\tw1\tb\nt2\tw2\ta\nt1\tw2\ta\nt2\tw1\tb\nt1\tw3\tc\n"

    /// Fused CSR entries `other * k + label`.
    static func fused(_ pairs: [(Int32, Int32)], k: Int32) -> [Int32] { pairs.map { $0.0 * k + $0.1 } }

    @Test("ids follow first appearance; columns hold input order")
    func idsAndColumns() throws {
        let t = try readAnswers(Self.text).table
        #expect(t.tasks.names == ["t1", "t2"])
        #expect(t.workers.names == ["w1", "w2", "w3"])
        #expect(t.labels.names == ["a", "b", "c"])
        #expect(t.task == [0, 1, 0, 1, 0])
        #expect(t.worker == [0, 1, 1, 0, 2])
        #expect(t.label == [1, 0, 0, 1, 2])
        #expect((t.answerCount, t.taskCount, t.workerCount, t.labelCount) == (5, 2, 3, 3))
        #expect(t.tasks.lookup("t2") == 1)
        #expect(t.tasks.lookup("t9") == nil)
        #expect(t.duplicates.pairs == 0)
        #expect(t.duplicates.example == nil)
    }

    @Test("byTask: entries worker*K+label, input order within a task")
    func byTask() throws {
        let t = try readAnswers(Self.text).table
        #expect(t.byTask.labelCount == 3)
        #expect(t.byTask.rowCount == 2)
        #expect(t.byTask.offsets == [0, 3, 5])
        // t1: (w1,b) (w2,a) (w3,c); t2: (w2,a) (w1,b)
        #expect(t.byTask.entries == Self.fused([(0, 1), (1, 0), (2, 2), (1, 0), (0, 1)], k: 3))
        #expect(t.byTask.range(of: 1) == 3..<5)
    }

    @Test("byWorker: entries task*K+label, input order within a worker")
    func byWorker() throws {
        let t = try readAnswers(Self.text).table
        #expect(t.byWorker.rowCount == 3)
        #expect(t.byWorker.offsets == [0, 2, 4, 5])
        // w1: (t1,b) (t2,b); w2: (t2,a) (t1,a); w3: (t1,c)
        #expect(t.byWorker.entries == Self.fused([(0, 1), (1, 1), (1, 0), (0, 0), (0, 2)], k: 3))
        #expect(t.byWorker.range(of: 2) == 4..<5)
    }

    @Test("CSR views agree with the columns on a bigger table")
    func csrConsistency() throws {
        var tasks: [String] = [], workers: [String] = [], labels: [String] = []
        var state: UInt64 = 42
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        for _ in 0..<2000 {
            tasks.append("t\(next(150))"); workers.append("w\(next(40))"); labels.append("\(next(4) * 3)")
        }
        let t = try AnswerTable(tasks: tasks, workers: workers, labels: labels)
        let k = Int32(t.labelCount)
        var expectedByTask = [[Int32]](repeating: [], count: t.taskCount)
        var expectedByWorker = [[Int32]](repeating: [], count: t.workerCount)
        for i in 0..<t.answerCount {
            expectedByTask[Int(t.task[i])].append(t.worker[i] * k + t.label[i])
            expectedByWorker[Int(t.worker[i])].append(t.task[i] * k + t.label[i])
        }
        #expect((0..<t.taskCount).map { Array(t.byTask.entries[t.byTask.range(of: $0)]) } == expectedByTask)
        #expect((0..<t.workerCount).map { Array(t.byWorker.entries[t.byWorker.range(of: $0)]) } == expectedByWorker)
        #expect(t.labels.names == ["0", "3", "6", "9"])
        for i in 0..<t.answerCount {
            #expect(t.tasks.name(t.task[i]) == tasks[i])
            #expect(t.labels[Int(t.label[i])] == labels[i])
        }
    }

    @Test("init from columns")
    func fromColumns() throws {
        let t = try AnswerTable(tasks: ["t1", "t2", "t1"], workers: ["w1", "w1", "w2"], labels: ["y", "n", "n"])
        #expect(triples(t) == [["t1", "w1", "y"], ["t2", "w1", "n"], ["t1", "w2", "n"]])
        #expect(t.labels.names == ["n", "y"])
        #expect(t.byTask.offsets == [0, 2, 3])
    }

    @Test("init from columns of different lengths throws")
    func fromColumnsRagged() throws {
        let error = try #require(throws: InputError.self) {
            try AnswerTable(tasks: ["t1", "t2"], workers: ["w1"], labels: ["a", "b"])
        }
        #expect(error.code == .raggedRow)
        #expect(error.file == "<memory>")
        #expect(error.message == "columns differ in length: 2 tasks, 1 workers, 2 labels")
    }

    @Test("init from empty columns throws noAnswers")
    func fromColumnsEmpty() throws {
        let error = try #require(throws: InputError.self) { try AnswerTable(tasks: [], workers: [], labels: []) }
        #expect(error.code == .noAnswers)
        #expect(error.file == "<memory>")
    }

    @Test("duplicated (task, worker) pairs are counted, reported and kept")
    func duplicates() throws {
        let text = """
            task\tworker\tlabel
            t1\tw1\ta
            t2\tw2\ta
            t2\tw1\tb
            t2\tw2\tb
            t1\tw1\tb
            t1\tw1\ta
            t3\tw3\ta

            """
        let t = try readAnswers(text).table
        #expect(t.answerCount == 7, "every answer is kept")
        #expect(t.duplicates.pairs == 2)                 // (t1, w1) ×3, (t2, w2) ×2
        #expect(t.duplicates.extraAnswers == 3)
        let example = try #require(t.duplicates.example)
        #expect(example.task == "t1")
        #expect(example.worker == "w1")
        // Kept in input order in the task view: t1 gets w1 three times.
        #expect(Array(t.byTask.entries[t.byTask.range(of: 0)]) == Self.fused([(0, 0), (0, 1), (0, 0)], k: 2))
        #expect(Array(t.byTask.entries[t.byTask.range(of: 1)]) == Self.fused([(1, 0), (0, 1), (1, 1)], k: 2))
    }

    @Test("the duplicate example is the first repeated pair in task order")
    func duplicateExampleOrder() throws {
        let t = try AnswerTable(
            tasks: ["t1", "t2", "t2", "t1", "t1"], workers: ["w1", "w2", "w2", "w3", "w3"], labels: ["a", "a", "a", "a", "b"])
        #expect(t.duplicates.pairs == 2)
        #expect(t.duplicates.extraAnswers == 2)
        #expect(t.duplicates.example?.task == "t1")
        #expect(t.duplicates.example?.worker == "w3")
    }

    @Test("duplicates through the reader with a Toloka export")
    func duplicatesToloka() throws {
        let header = "INPUT:x\tOUTPUT:y\tASSIGNMENT:worker_id\tASSIGNMENT:status"
        let text = [header, "a\t1\tw1\tAPPROVED", "a\t2\tw1\tAPPROVED", "b\t1\tw1\tAPPROVED"].joined(separator: "\n") + "\n"
        let t = try readAnswers(text, name: "e.tsv").table
        #expect(t.answerCount == 3)
        #expect(t.duplicates.pairs == 1)
        #expect(t.duplicates.extraAnswers == 1)
        #expect(t.duplicates.example?.task == "a")
    }
}
