import Testing
import TallyCore
import TallyAggregation

@Suite("Registry: answer types")
struct AnswerKindRegistryTests {
    /// A numeric method defined here (a per-task mean), to test the registry's dispatch by kind.
    static let mean = MethodDescriptor(
        name: "test-mean", title: "Mean", summary: "Mean per task.", citation: "none", family: .votes, crowdKitClass: nil,
        accepts: [.numeric]
    ) { answers, _, _ in
        guard case .numeric(let n) = answers else { throw AggregationError("numeric only") }
        var sum = [Double](repeating: 0, count: n.taskCount), count = sum
        for i in 0..<n.answerCount { sum[Int(n.task[i])] += n.value[i]; count[Int(n.task[i])] += 1 }
        var r = MethodResult()
        r.taskValues = zip(sum, count).map { $0 / $1 }
        return r
    }

    @Test("a method fits the kinds it lists and refuses the others, naming them")
    func dispatch() throws {
        let n = try NumericAnswers(tasks: ["t1", "t1", "t2"], workers: ["a", "b", "a"], values: [1, 2, 5])
        let r = try Self.mean.fit(.numeric(n))
        #expect(r.taskValues == [1.5, 5] && r.model == nil && r.labels.isEmpty)
        let table = try AnswerTable(tasks: ["t1"], workers: ["a"], labels: ["x"])
        let e = try #require(throws: AggregationError.self) { try Self.mean.fit(table) }
        #expect(e.description.contains("numeric") && e.description.contains("categorical"))
        let mv = try MethodRegistry.method(named: "mv")
        #expect(throws: AggregationError.self) { try mv.fit(.numeric(n)) }
        #expect(try mv.fit(.categorical(table)).labels == [0])
    }

    @Test("every categorical method lists categorical answers; `all` means the methods of one kind")
    func kinds() throws {
        for m in MethodRegistry.all where m.answerTypes.contains(.categorical) {
            #expect(m.accepts(.categorical), "\(m.name)")
        }
        #expect(try MethodRegistry.methods("all").allSatisfy { $0.accepts(.categorical) })
        #expect(try MethodRegistry.methods("all", for: .pairwise).allSatisfy { $0.accepts(.pairwise) })
    }
}
