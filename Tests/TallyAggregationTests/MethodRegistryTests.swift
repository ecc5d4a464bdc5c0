import Testing
import TallyCore
@testable import TallyAggregation

@Suite("Method registry")
struct MethodRegistryTests {
    /// Two labels, six tasks, four workers: every method (KOS included) runs on it.
    static func table() throws -> AnswerTable {
        let rows: [(String, String, String)] = [
            ("t1", "w1", "a"), ("t1", "w2", "a"), ("t1", "w3", "b"), ("t2", "w1", "b"), ("t2", "w2", "b"), ("t2", "w4", "b"),
            ("t3", "w1", "a"), ("t3", "w3", "a"), ("t3", "w4", "b"), ("t4", "w2", "a"), ("t4", "w3", "b"), ("t4", "w4", "a"),
            ("t5", "w1", "b"), ("t5", "w2", "a"), ("t5", "w4", "b"), ("t6", "w1", "a"), ("t6", "w2", "a"), ("t6", "w3", "a"),
        ]
        return try AnswerTable(tasks: rows.map(\.0), workers: rows.map(\.1), labels: rows.map(\.2))
    }

    @Test("names are unique and every method has a summary, a citation and answer types")
    func described() {
        let names = MethodRegistry.names
        #expect(Set(names).count == names.count)
        for m in MethodRegistry.all {
            #expect(!m.summary.isEmpty && !m.citation.isEmpty && !m.answerTypes.isEmpty, "\(m.name)")
            #expect(Set(m.parameters.map(\.name)).count == m.parameters.count, "\(m.name): a parameter listed twice")
        }
    }

    @Test("fitting through the registry gives what the aggregator gives")
    func sameAsDirect() throws {
        let t = try Self.table()
        let gold = GoldLabels(["t1": "a", "t2": "b"])
        let direct: [String: any FittedModel] = [
            "mv": try MajorityVote().fit(t), "wawa": try Wawa().fit(t), "zbs": try ZeroBasedSkill().fit(t),
            "gold-mv": try GoldMajorityVote(gold: gold).fit(t), "ds": try DawidSkene().fit(t), "onecoin-ds": try OneCoinDawidSkene().fit(t),
            "kos": try KOS().fit(t), "glad": try GLAD().fit(t), "mace": try MACE().fit(t), "mmsr": try MMSR().fit(t),
            "ibcc": try IBCC().fit(t),
            "bwa": try BWA().fit(t),
            "ebcc": try EBCC().fit(t),
            "minimax": try MinimaxEntropy().fit(t),
        ]
        #expect(Set(direct.keys) == Set(MethodRegistry.methods(for: .categorical).map(\.name)), "a method without a direct counterpart here")
        for m in MethodRegistry.methods(for: .categorical) {
            let r = try m.fit(t, inputs: MethodInputs(gold: m.needsGold ? gold : nil))
            let d = try #require(direct[m.name])
            #expect(r.labels == d.labels && r.probabilities == d.probabilities, "\(m.name)")
        }
    }

    @Test("a descriptor says it makes skills and confusions exactly when its fit gives them")
    func declaredOutputs() throws {
        let t = try Self.table()
        let gold = GoldLabels(["t1": "a", "t2": "b"])
        for m in MethodRegistry.methods(for: .categorical) {
            let r = try m.fit(t, inputs: MethodInputs(gold: m.needsGold ? gold : nil))
            #expect(m.makesSkills == (r.skills != nil), "\(m.name): makesSkills \(m.makesSkills), skills \(r.skills == nil ? "none" : "given")")
            #expect(m.makesConfusions == (r.confusions != nil), "\(m.name): makesConfusions \(m.makesConfusions)")
        }
    }

    @Test("--compat crowd-kit switches parameters with a crowd-kit value, unless given")
    func compatibility() throws {
        let glad = try MethodRegistry.method(named: "glad")
        #expect(try glad.resolve(MethodParameters()).choice("stopping") == GLAD.Stopping.relativeChange)
        #expect(try glad.resolve(MethodParameters(compatibility: .crowdKit)).choice("stopping") == GLAD.Stopping.crowdKit)
        let given = MethodParameters(["stopping": .string("relative")], compatibility: .crowdKit)
        #expect(try glad.resolve(given).choice("stopping") == GLAD.Stopping.relativeChange)
        let mace = try MethodRegistry.method(named: "mace")
        #expect(try mace.resolve(MethodParameters(compatibility: .crowdKit)).choice("mace-compat") == MACE.Compatibility.crowdKit)
        #expect(try mace.resolve(MethodParameters()).int("max-iterations") == MACE().iterations)
    }

    @Test("bad parameters and names are refused with the choices")
    func refused() throws {
        let ds = try MethodRegistry.method(named: "ds")
        #expect(throws: AggregationError.self) { try ds.resolve(MethodParameters(["restarts": .int(3)])) }
        #expect(throws: AggregationError.self) { try ds.resolve(MethodParameters(["max-iterations": .string("many")])) }
        #expect(throws: AggregationError.self) { try ds.resolve(MethodParameters(["em": .string("soft-ish")])) }
        #expect(throws: AggregationError.self) { try MethodRegistry.method(named: "glaad") }
        #expect(throws: AggregationError.self) { try MethodRegistry.methods("mv,glaad") }
        #expect(throws: AggregationError.self) { try MethodRegistry.method(named: "gold-mv").fit(try Self.table()) }
        #expect(try MethodRegistry.methods("all", all: { !$0.needsGold }).map(\.name) == MethodRegistry.methods(for: .categorical).map(\.name).filter { $0 != "gold-mv" })
    }

    @Test("scoring: kos is left out on three labels; gold-mv learns from the golden set")
    func scoring() throws {
        let three = try AnswerTable(tasks: ["t1", "t1", "t2", "t2"], workers: ["w1", "w2", "w1", "w2"], labels: ["a", "b", "c", "c"])
        let truth = GoldLabels(["t1": "a", "t2": "c"])
        let kos = try MethodRegistry.method(named: "kos"), mv = try MethodRegistry.method(named: "mv"), goldMV = try MethodRegistry.method(named: "gold-mv")
        let scores = try MethodRegistry.accuracies([mv, kos], answers: three, truth: truth)
        #expect(scores.keys.sorted() == ["mv"])
        #expect(throws: AggregationError.self) { try MethodRegistry.accuracies([goldMV], answers: three, truth: truth) }
        let withGolden = try AnswerTable(tasks: ["t1", "t1", "t2", "t2", "g1", "g1"], workers: ["w1", "w2", "w1", "w2", "w1", "w2"], labels: ["a", "b", "c", "c", "a", "b"])
        let golden = MethodRegistry.GoldenSet(answers: withGolden, gold: GoldLabels(["g1": "a"]))
        // w1 is right on the golden task and w2 wrong, so t1 goes to w1's "a".
        #expect(try MethodRegistry.accuracies([goldMV], answers: three, truth: truth, golden: golden) == ["gold-mv": 1.0])
    }
}
