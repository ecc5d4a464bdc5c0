import Foundation
import Testing
import TallyAggregation
import TallyCore

/// Small hand-computed examples for the majority-vote family.
///
/// Weights are chosen as binary fractions (0.25, 0.5, 0.75, …) so that every sum is exact; a
/// share is then one correctly rounded division, and a literal such as `4.0 / 7` (the same real
/// quotient) is the same `Double`. So every number below is compared exactly.
@Suite("vote methods: hand-computed examples")
struct VoteMethodTests {
    // MARK: - Helpers

    static func table(_ rows: [(String, String, String)]) throws -> AnswerTable {
        try AnswerTable(tasks: rows.map(\.0), workers: rows.map(\.1), labels: rows.map(\.2))
    }

    /// The chosen label of every task, by name.
    static func labels(_ model: VoteModel, _ table: AnswerTable) -> [String] {
        model.labels.map { table.labels[Int($0)] }
    }

    /// The probability rows of a model.
    static func rows(_ model: VoteModel) -> [[Double]] {
        (0..<model.probabilities.rows).map { model.probabilities.row($0) }
    }

    /// Expects the probability rows of `model` to be exactly `expected`.
    static func expectRows(_ model: VoteModel, _ expected: [[Double]], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = rows(model)
        #expect(got == expected, sourceLocation: sourceLocation)
    }

    /// Expects probability row `r` of `model` to be exactly `expected`.
    static func expectRow(_ model: VoteModel, _ r: Int, _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = model.probabilities.row(r)
        #expect(got == expected, sourceLocation: sourceLocation)
    }

    /// Expects the reported skills of `model` to be exactly `expected`.
    static func expectSkills(_ model: VoteModel, _ expected: [Double], sourceLocation: SourceLocation = #_sourceLocation) {
        let got = model.skills
        #expect(got == expected, sourceLocation: sourceLocation)
    }

    /// Element-wise equality in which NaN equals NaN.
    static func same(_ a: [Double]?, _ b: [Double]) -> Bool {
        guard let a, a.count == b.count else { return false }
        return zip(a, b).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) }
    }

    /// The message of the `AggregationError` that `body` throws.
    static func aggregationError(_ body: () throws -> some Any, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let error = try #require(throws: AggregationError.self, sourceLocation: sourceLocation) { _ = try body() }
        return error.message
    }

    // MARK: - Unweighted majority vote

    /// Labels 10, 9, 2: all canonical integers, so the order is numeric (2, 9, 10).
    static let numeric: [(String, String, String)] = [
        ("t1", "w1", "10"), ("t1", "w2", "9"), ("t1", "w3", "10"),
        ("t2", "w1", "9"), ("t2", "w2", "10"),
        ("t3", "w3", "2"),
    ]

    @Test("unweighted MV: shares; a tie goes to the first label in numeric order")
    func unweightedNumeric() throws {
        let t = try Self.table(Self.numeric)
        #expect(t.labels.names == ["2", "9", "10"])
        #expect(t.labels.isNumeric)
        let m = try MajorityVote().fit(t)
        Self.expectRows(m, [
            [0, 1.0 / 3, 2.0 / 3],
            [0, 0.5, 0.5],
            [1, 0, 0],
        ])
        #expect(Self.labels(m, t) == ["10", "9", "2"], "t2's tie 9/10 goes to 9, first numerically")
        // Skills: agreement with the chosen labels. w1: 2/2, w2: 0/2, w3: 2/2.
        Self.expectSkills(m, [1.0, 0.0, 1.0])
        #expect(m.workersWithoutSkill == 0)
        #expect(m.tasksWithZeroWeight == 0)
    }

    @Test("unweighted MV: with a non-integer label the order is by string, so the tie goes to 10")
    func unweightedStringOrder() throws {
        var rows = Self.numeric
        rows[5] = ("t3", "w3", "x")
        let t = try Self.table(rows)
        #expect(t.labels.names == ["10", "9", "x"])
        #expect(!t.labels.isNumeric)
        let m = try MajorityVote().fit(t)
        Self.expectRows(m, [
            [2.0 / 3, 1.0 / 3, 0],
            [0.5, 0.5, 0],
            [0, 0, 1],
        ])
        #expect(Self.labels(m, t) == ["10", "10", "x"], "t2's tie 9/10 goes to \"10\" < \"9\"")
        // w1: t1 right, t2 wrong; w2: t1 wrong, t2 right; w3: both right.
        Self.expectSkills(m, [0.5, 0.5, 1.0])
    }

    @Test("unweighted MV: a three-way tie goes to the first label in Unicode scalar order (B < a < b)")
    func threeWayTie() throws {
        let t = try Self.table([("t1", "w1", "b"), ("t1", "w2", "a"), ("t1", "w3", "B")])
        #expect(t.labels.names == ["B", "a", "b"])
        let m = try MajorityVote().fit(t)
        Self.expectRows(m, [[1.0 / 3, 1.0 / 3, 1.0 / 3]])
        #expect(Self.labels(m, t) == ["B"])
        Self.expectSkills(m, [0.0, 0.0, 1.0])
    }

    // MARK: - Weighted majority vote and missing skills

    /// Workers w1, w2, w3 have skills 0.5, 0.25, 0.75; zed (id 3) and amy (id 4) have none.
    static let weighted: [(String, String, String)] = [
        ("t1", "w1", "a"), ("t1", "w2", "b"), ("t1", "w3", "b"),
        ("t2", "w1", "a"), ("t2", "zed", "b"),
        ("t3", "zed", "b"), ("t3", "w2", "a"),
        ("t4", "amy", "a"), ("t4", "w3", "b"),
    ]
    /// `ghost` answered nothing and is ignored.
    static let knownSkills = WorkerSkills(["w1": 0.5, "w2": 0.25, "w3": 0.75, "ghost": 9.0])

    @Test("weighted MV, .error: throws naming the first worker (by id) without a skill")
    func missingSkillError() throws {
        let t = try Self.table(Self.weighted)
        let message = try Self.aggregationError { try MajorityVote(skills: Self.knownSkills).fit(t) }
        #expect(message.contains("first: 'zed'"), "zed comes before amy in the input: \(message)")
        #expect(message.contains("2 of 5 workers"), "\(message)")
        // .error is the default.
        #expect(throws: AggregationError.self) { try MajorityVote(skills: Self.knownSkills, onMissingSkill: .error).fit(t) }
    }

    @Test("weighted MV, .ignore: answers of workers without a skill are left out")
    func missingSkillIgnore() throws {
        let t = try Self.table(Self.weighted)
        let m = try MajorityVote(skills: Self.knownSkills, onMissingSkill: .ignore).fit(t)
        // t1: a 0.5 | b 0.25 + 0.75 = 1.0; t2: a 0.5 (zed out); t3: a 0.25 (zed out); t4: b 0.75 (amy out).
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [1, 0], [1, 0], [0, 1]])
        #expect(Self.labels(m, t) == ["b", "a", "a", "b"])
        // Every worker keeps an agreement skill, the left-out ones too.
        Self.expectSkills(m, [0.5, 1.0, 1.0, 0.0, 0.0])
        #expect(m.workersWithoutSkill == 2)
        #expect(m.tasksWithZeroWeight == 0)
    }

    @Test("weighted MV, .ignore: throws when a task loses all its answers")
    func missingSkillIgnoreOrphan() throws {
        let t = try Self.table(Self.weighted + [("t5", "zed", "a"), ("t5", "amy", "b")])
        let message = try Self.aggregationError { try MajorityVote(skills: Self.knownSkills, onMissingSkill: .ignore).fit(t) }
        #expect(message.hasPrefix("1 tasks have no answer"), "\(message)")
    }

    @Test("weighted MV, .value(1): workers without a skill vote with weight 1")
    func missingSkillValue() throws {
        let t = try Self.table(Self.weighted)
        let m = try MajorityVote(skills: Self.knownSkills, onMissingSkill: .value(1)).fit(t)
        // t2: a 0.5 | b 1; t3: a 0.25 | b 1 (total 1.25); t4: a 1 | b 0.75 (total 1.75).
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [1.0 / 3, 2.0 / 3], [0.2, 0.8], [4.0 / 7, 3.0 / 7]])
        #expect(Self.labels(m, t) == ["b", "b", "b", "a"])
        Self.expectSkills(m, [0.0, 0.5, 0.5, 1.0, 1.0])
        #expect(m.workersWithoutSkill == 2)
    }

    @Test("weighted MV, .mean: workers without a skill vote with the mean known skill (0.5)")
    func missingSkillMean() throws {
        let t = try Self.table(Self.weighted)
        let m = try MajorityVote(skills: Self.knownSkills, onMissingSkill: .mean).fit(t)
        // Mean of 0.5, 0.25, 0.75 (ghost is not a worker of this table) = 0.5.
        // t2: a 0.5 | b 0.5, a tie → a; t3: a 0.25 | b 0.5; t4: a 0.5 | b 0.75 (total 1.25).
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [0.5, 0.5], [1.0 / 3, 2.0 / 3], [0.4, 0.6]])
        #expect(Self.labels(m, t) == ["b", "a", "b", "b"])
        Self.expectSkills(m, [0.5, 0.5, 1.0, 0.5, 0.0])
        #expect(m.workersWithoutSkill == 2)
    }

    @Test("weighted MV, .mean: throws when no worker of the table has a known skill")
    func missingSkillMeanNoKnown() throws {
        let t = try Self.table(Self.weighted)
        let message = try Self.aggregationError { try MajorityVote(skills: WorkerSkills(["ghost": 1]), onMissingSkill: .mean).fit(t) }
        #expect(message.contains("no worker has a known skill"), "\(message)")
    }

    @Test("weighted MV: every skill known needs no policy; a skill of 2 counts twice")
    func allSkillsKnown() throws {
        let t = try Self.table([("t1", "w1", "a"), ("t1", "w2", "b"), ("t1", "w3", "b"), ("t2", "w1", "b"), ("t2", "w2", "a")])
        let m = try MajorityVote(skills: WorkerSkills(["w1": 2, "w2": 0.5, "w3": 1])).fit(t)
        // t1: a 2 | b 1.5 (total 3.5); t2: a 0.5 | b 2 (total 2.5).
        Self.expectRows(m, [[4.0 / 7, 3.0 / 7], [0.2, 0.8]])
        #expect(Self.labels(m, t) == ["a", "b"])
        Self.expectSkills(m, [1.0, 0.0, 0.0])
        #expect(m.workersWithoutSkill == 0)
    }

    // MARK: - Tasks whose votes weigh nothing

    /// w1, w2, w3 weigh 0, w4 weighs 1; zed has no skill.
    static let zeroWeight: [(String, String, String)] = [
        ("t1", "w1", "a"), ("t1", "w2", "b"), ("t1", "w3", "b"),
        ("t2", "w1", "a"), ("t2", "zed", "b"), ("t2", "w2", "a"),
        ("t3", "w4", "a"), ("t3", "w1", "b"),
    ]
    static let zeroSkills = WorkerSkills(["w1": 0, "w2": 0, "w3": 0, "w4": 1])

    @Test("a task whose voters all weigh 0 gets the plain vote shares of its non-left-out answers")
    func zeroWeightIgnore() throws {
        let t = try Self.table(Self.zeroWeight)
        let m = try MajorityVote(skills: Self.zeroSkills, onMissingSkill: .ignore).fit(t)
        // t1: plain shares 1/3, 2/3. t2: zed is left out, so a 2 of 2 (not 2 of 3). t3: a weighs 1.
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [1, 0], [1, 0]])
        #expect(Self.labels(m, t) == ["b", "a", "a"])
        #expect(m.tasksWithZeroWeight == 2)
        #expect(m.workersWithoutSkill == 1)
        // Agreement with b, a, a: w1 1 of 3, w2 2 of 2, w3 1 of 1, zed 0 of 1, w4 1 of 1.
        Self.expectSkills(m, [1.0 / 3, 1.0, 1.0, 0.0, 1.0])
    }

    @Test("with .value(0) the zero-weight answer of a worker without a skill is counted in the fallback")
    func zeroWeightValue() throws {
        let t = try Self.table(Self.zeroWeight)
        let m = try MajorityVote(skills: Self.zeroSkills, onMissingSkill: .value(0)).fit(t)
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [2.0 / 3, 1.0 / 3], [1, 0]])
        #expect(Self.labels(m, t) == ["b", "a", "a"])
        #expect(m.tasksWithZeroWeight == 2)
        #expect(m.workersWithoutSkill == 1)
    }

    @Test("weighted MV: a NaN skill given in memory never yields NaN probabilities")
    func nanSkillGiven() throws {
        // WorkerSkills.read drops `nan` cells, but the public initialisers accept NaN. A NaN weight
        // leaves the answer out; t1's only answer is w1's, so t1 must either be refused (as .ignore
        // refuses a task with no answer left) or scored from something finite.
        let t = try Self.table([("t1", "w1", "a"), ("t2", "w1", "b"), ("t2", "w2", "a")])
        do {
            let m = try MajorityVote(skills: WorkerSkills(["w1": .nan, "w2": 1])).fit(t)
            #expect(m.probabilities.values.allSatisfy { $0.isFinite }, "probabilities \(m.probabilities.values)")
        } catch is AggregationError {
            // Refusing is fine too.
        }
    }

    // MARK: - Wawa

    /// w1 repeats b on t1 (one vote per answer, one answer for skill); w3 gives both a and b on t3.
    static let wawa: [(String, String, String)] = [
        ("t1", "w1", "b"), ("t1", "w1", "b"), ("t1", "w2", "a"),
        ("t2", "w1", "a"), ("t2", "w2", "b"), ("t2", "w3", "b"),
        ("t3", "w3", "a"), ("t3", "w3", "b"), ("t3", "w2", "a"), ("t3", "w4", "a"),
        ("t4", "w2", "b"), ("t4", "w4", "b"), ("t4", "w3", "b"),
    ]

    @Test("MV on repeated answers: a repeat votes twice but counts once for the agreement skill")
    func majorityVoteDuplicates() throws {
        let t = try Self.table(Self.wawa)
        let m = try MajorityVote().fit(t)
        // t1: b 2 of 3 (w1's repeat decides it; counted once it would be a tie, going to a).
        Self.expectRows(m, [[1.0 / 3, 2.0 / 3], [1.0 / 3, 2.0 / 3], [0.75, 0.25], [0, 1]])
        #expect(Self.labels(m, t) == ["b", "b", "a", "b"])
        // w1: (t1 b) right, (t2 a) wrong = 1/2, not 2/3. w2: 3 of 4. w3: (t2 b), (t3 a), (t3 b), (t4 b)
        // = 3 of 4, both of its t3 labels counted. w4: 2 of 2.
        Self.expectSkills(m, [0.5, 0.75, 0.75, 1.0])
    }

    @Test("Wawa: skills = agreement with MV; then the vote weighted by them")
    func wawa() throws {
        let t = try Self.table(Self.wawa)
        let m = try Wawa().fit(t)
        Self.expectSkills(m, [0.5, 0.75, 0.75, 1.0])
        // t1: a 0.75 | b 0.5 + 0.5 (total 1.75); t2: a 0.5 | b 1.5 (total 2);
        // t3: a 0.75 + 0.75 + 1 = 2.5 | b 0.75 (total 3.25); t4: b only.
        Self.expectRows(m, [[3.0 / 7, 4.0 / 7], [0.25, 0.75], [10.0 / 13, 3.0 / 13], [0, 1]])
        #expect(Self.labels(m, t) == ["b", "b", "a", "b"])
        #expect(m.workersWithoutSkill == 0)
        #expect(m.tasksWithZeroWeight == 0)
    }

    @Test("Wawa: the skills can overturn the label the plain vote chose")
    func wawaOverturnsVote() throws {
        // MV: t1 a 2 | b 1 → a; on t2…t8 w3 and w4 say b and are the majority.
        var rows: [(String, String, String)] = [("t1", "w1", "a"), ("t1", "w2", "a"), ("t1", "w3", "b")]
        for task in ["t2", "t3", "t4"] { rows += [(task, "w1", "a"), (task, "w3", "b"), (task, "w4", "b")] }
        for task in ["t5", "t6", "t7"] { rows += [(task, "w2", "a"), (task, "w3", "b"), (task, "w4", "b")] }
        rows.append(("t8", "w3", "b"))
        let t = try Self.table(rows)
        let mv = try MajorityVote().fit(t)
        #expect(Self.labels(mv, t) == ["a", "b", "b", "b", "b", "b", "b", "b"])
        let m = try Wawa().fit(t)
        // Skills: w1 1 of 4, w2 1 of 4, w3 7 of 8, w4 6 of 6.
        Self.expectSkills(m, [0.25, 0.25, 0.875, 1.0])
        // t1: a 0.25 + 0.25 | b 0.875 (total 1.375) → b.
        Self.expectRow(m, 0, [4.0 / 11, 7.0 / 11])
        // t2: a 0.25 | b 0.875 + 1 (total 2.125).
        Self.expectRow(m, 1, [2.0 / 17, 15.0 / 17])
        #expect(Self.labels(m, t) == ["b", "b", "b", "b", "b", "b", "b", "b"])
    }

    // MARK: - Zero-Based Skill

    @Test("ZBS with 0 iterations: the vote weighted by 1/K + eps")
    func zeroBasedSkillNoIterations() throws {
        let t = try Self.table(Self.numeric)  // K = 3
        let m = try ZeroBasedSkill(iterations: 0).fit(t)
        Self.expectSkills(m, [1.0 / 3 + 1e-5, 1.0 / 3 + 1e-5, 1.0 / 3 + 1e-5])
        #expect(Self.labels(m, t) == ["10", "9", "2"])
        let mv = try MajorityVote().fit(t)
        for (a, b) in zip(m.probabilities.values, mv.probabilities.values) { #expect(abs(a - b) < 1e-15) }

        // With eps = 0.5 and K = 2 every weight is exactly 1: the shares are MV's, bit for bit.
        let w = try Self.table(Self.wawa)
        let one = try ZeroBasedSkill(iterations: 0, eps: 0.5).fit(w)
        Self.expectSkills(one, [1, 1, 1, 1])
        Self.expectRows(one, [[1.0 / 3, 2.0 / 3], [1.0 / 3, 2.0 / 3], [0.75, 0.25], [0, 1]])
        #expect(one.workersWithoutSkill == 0)
        #expect(one.tasksWithZeroWeight == 0)
    }

    @Test("ZBS, one step: the rate is reduced before the step when the step number is a multiple")
    func zeroBasedSkillOneStep() throws {
        let t = try Self.table(Self.wawa)
        // Start 0.5 each (K = 2, eps = 0); step 1 is a multiple of 1, so the rate is 1 × 0.5 first;
        // agreement with the vote is 0.5, 0.75, 0.75, 1 → skill = 0.5 + 0.5 × (agreement − 0.5).
        let m = try ZeroBasedSkill(iterations: 1, learningRate: 1, learningRateStepsToReduce: 1, learningRateReduceFactor: 0.5, eps: 0).fit(t)
        Self.expectSkills(m, [0.5, 0.625, 0.625, 0.75])
        // t1: a 0.625 | b 1 (1.625); t2: a 0.5 | b 1.25 (1.75); t3: a 2 | b 0.625 (2.625).
        Self.expectRows(m, [[5.0 / 13, 8.0 / 13], [2.0 / 7, 5.0 / 7], [16.0 / 21, 5.0 / 21], [0, 1]])
        #expect(Self.labels(m, t) == ["b", "b", "a", "b"])

        // Rate 1, no reduction in step 1: the skills jump to the agreement, i.e. Wawa.
        let jump = try ZeroBasedSkill(iterations: 1, eps: 0).fit(t)
        let wawa = try Wawa().fit(t)
        #expect(jump.skills == wawa.skills)
        #expect(jump.probabilities == wawa.probabilities)
    }

    @Test("ZBS: invalid hyperparameters throw", arguments: [(-1, 20), (10, 0), (10, -3), (-5, 0)])
    func zeroBasedSkillInvalid(iterations: Int, steps: Int) throws {
        let t = try Self.table(Self.wawa)
        #expect(throws: AggregationError.self) {
            try ZeroBasedSkill(iterations: iterations, learningRateStepsToReduce: steps).fit(t)
        }
    }

    // MARK: - Gold majority vote

    @Test("GoldMV: a gold label no worker gave counts as wrong for everyone")
    func goldUnknownLabel() throws {
        let t = try Self.table([
            ("t1", "w1", "a"), ("t1", "w2", "b"),
            ("t2", "w1", "a"), ("t2", "w2", "a"),
            ("t3", "w1", "a"), ("t3", "w2", "b"),
        ])
        let gold = GoldLabels(["t1": "c", "t3": "a"])
        for policy in [MissingSkillPolicy.mean, .error] {
            let m = try GoldMajorityVote(gold: gold, onMissingSkill: policy).fit(t)
            // w1: t1 wrong (c), t3 right = 1/2 (not 1 of 1); w2: both wrong = 0.
            Self.expectSkills(m, [0.5, 0.0])
            // Every task: a 0.5 | b 0.
            Self.expectRows(m, [[1, 0], [1, 0], [1, 0]])
            #expect(Self.labels(m, t) == ["a", "a", "a"])
            #expect(m.workersWithoutSkill == 0)
            #expect(m.tasksWithZeroWeight == 0)
        }
        #expect(t.labels.names == ["a", "b"], "the gold label is not added to the table's labels")
    }

    /// w1 and w2 answer gold tasks t1, t2; w3 answers only t3 and t4, which have no gold.
    static let goldRows: [(String, String, String)] = [
        ("t1", "w1", "a"), ("t1", "w2", "b"),
        ("t2", "w1", "b"), ("t2", "w2", "b"),
        ("t3", "w1", "a"), ("t3", "w3", "b"), ("t3", "w2", "b"),
        ("t4", "w3", "a"), ("t4", "w2", "b"),
    ]
    /// `tX` has no answers and is ignored.
    static let goldLabels = GoldLabels(["t1": "a", "t2": "b", "tX": "a"])

    @Test("GoldMV: a worker without gold votes with the mean skill by default and reports it")
    func goldMeanDefault() throws {
        let t = try Self.table(Self.goldRows)
        let m = try GoldMajorityVote(gold: Self.goldLabels).fit(t)
        // Accuracy: w1 2 of 2, w2 1 of 2; w3 none → weight (1 + 0.5) / 2 = 0.75.
        #expect(Self.same(m.skills, [1.0, 0.5, 0.75]), "\(m.skills ?? [])")
        #expect(m.workersWithoutSkill == 1)
        // t1: a 1 | b 0.5; t2: b only; t3: a 1 | b 0.75 + 0.5 (2.25); t4: a 0.75 | b 0.5 (1.25).
        Self.expectRows(m, [[2.0 / 3, 1.0 / 3], [0, 1], [4.0 / 9, 5.0 / 9], [0.6, 0.4]])
        #expect(Self.labels(m, t) == ["a", "b", "b", "a"])
        #expect(m.tasksWithZeroWeight == 0)
    }

    @Test("GoldMV, .error: throws naming the worker without gold")
    func goldError() throws {
        let t = try Self.table(Self.goldRows)
        let message = try Self.aggregationError { try GoldMajorityVote(gold: Self.goldLabels, onMissingSkill: .error).fit(t) }
        #expect(message.contains("first: 'w3'"), "\(message)")
        #expect(message.contains("1 of 3 workers"), "\(message)")
    }

    @Test("GoldMV, .ignore and .value: the worker without gold is left out or gets the value")
    func goldOtherPolicies() throws {
        let t = try Self.table(Self.goldRows)
        let ignored = try GoldMajorityVote(gold: Self.goldLabels, onMissingSkill: .ignore).fit(t)
        // t3: a 1 | b 0.5; t4: b 0.5 only.
        Self.expectRows(ignored, [[2.0 / 3, 1.0 / 3], [0, 1], [2.0 / 3, 1.0 / 3], [0, 1]])
        #expect(Self.labels(ignored, t) == ["a", "b", "a", "b"])
        #expect(Self.same(ignored.skills, [1.0, 0.5, .nan]))
        #expect(ignored.workersWithoutSkill == 1)

        let valued = try GoldMajorityVote(gold: Self.goldLabels, onMissingSkill: .value(0.25)).fit(t)
        // t3: a 1 | b 0.25 + 0.5 (1.75); t4: a 0.25 | b 0.5 (0.75).
        Self.expectRows(valued, [[2.0 / 3, 1.0 / 3], [0, 1], [4.0 / 7, 3.0 / 7], [1.0 / 3, 2.0 / 3]])
        #expect(Self.labels(valued, t) == ["a", "b", "a", "b"])
        #expect(Self.same(valued.skills, [1.0, 0.5, 0.25]))
        #expect(valued.workersWithoutSkill == 1)
    }

    @Test("GoldMV: gold whose tasks have no answers throws")
    func goldWithoutAnsweredTasks() throws {
        let t = try Self.table(Self.goldRows)
        let message = try Self.aggregationError { try GoldMajorityVote(gold: GoldLabels(["tX": "a", "tY": "b"])).fit(t) }
        #expect(message.contains("none of the 2 gold tasks has an answer"), "\(message)")
        #expect(throws: AggregationError.self) { try GoldMajorityVote(gold: GoldLabels([String: String]())).fit(t) }
    }
}
