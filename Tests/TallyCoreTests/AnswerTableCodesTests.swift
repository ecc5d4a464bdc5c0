import Testing
import TallyCore

@Suite("AnswerTable.fromCodes")
struct AnswerTableCodesTests {
    @Test("task and worker codes are ids; labels are put in LabelSet order with the caller's codes kept")
    func codes() throws {
        let (table, order) = try AnswerTable.fromCodes(
            task: [0, 0, 1, 1], worker: [0, 1, 0, 1], label: [0, 1, 1, 2],
            taskNames: ["t1", "t2"], workerNames: ["w1", "w2"], labelNames: ["yes", "no", "maybe"])
        #expect(table.labels.names == ["maybe", "no", "yes"])
        #expect(order == [2, 1, 0])
        #expect(table.task == [0, 0, 1, 1] && table.worker == [0, 1, 0, 1])
        #expect(table.label == [2, 1, 1, 0])
        #expect(table.tasks.name(1) == "t2" && table.workers.name(0) == "w1")
        // The same answers by name give the same table.
        let byName = try AnswerTable(tasks: ["t1", "t1", "t2", "t2"], workers: ["w1", "w2", "w1", "w2"], labels: ["yes", "no", "no", "maybe"])
        #expect(byName.label == table.label && byName.labels == table.labels)
    }

    @Test("integer names order as numbers")
    func numeric() throws {
        let (table, order) = try AnswerTable.fromCodes(task: [0, 0], worker: [0, 1], label: [0, 1],
                                                       taskNames: ["t"], workerNames: ["a", "b"], labelNames: ["10", "9"])
        #expect(table.labels.names == ["9", "10"] && order == [1, 0])
    }

    @Test("bad codes, repeated names, unused tasks and empty columns are refused with the place named",
          arguments: [
            ([0, 5], [0, 0], [0, 0], ["t1", "t2"], "answer 1: code 5"),
            ([0, 1], [0, -1], [0, 0], ["t1", "t2"], "answer 1: code -1"),
            ([0, 0], [0, 0], [0, 0], ["t1", "t2"], "task 't2' (code 1) has no answer"),
            ([0, 1], [0, 0], [0, 0], ["t1", "t1"], "repeat 't1'"),
            ([Int32](), [Int32](), [Int32](), ["t1"], "no answers"),
          ])
    func refused(task: [Int32], worker: [Int32], label: [Int32], taskNames: [String], message: String) {
        do {
            _ = try AnswerTable.fromCodes(task: task, worker: worker, label: label, taskNames: taskNames, workerNames: ["w"], labelNames: ["x"])
            Issue.record("accepted \(task) \(worker)")
        } catch let e as InputError {
            #expect(e.description.contains(message), "\(e.description)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
