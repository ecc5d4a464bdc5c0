import Foundation
import Testing
import TallyAggregation
import TallyCore

/// Parity with crowd-kit 1.4.2 (pandas 2.3.3 stack) on every categorical dataset of
/// `../shared/datasets` and crowd-kit's own toy set.
///
/// The expected outputs were made once by `scripts/crowdkit_fixtures.py` and committed under
/// `Fixtures/crowdkit`. Labels must be identical; probabilities and skills within 1e-9.
@Suite("crowd-kit parity: the majority-vote family")
struct CrowdKitParityTests {
    static let tolerance = 1e-9

    @Test("the fixtures cover 23 real datasets and the toy set")
    func coverage() {
        #expect(TestData.datasets.count == 24)
        #expect(TestData.datasets.contains("toy"))
        #expect(!TestData.datasets.contains("vldb-emotion"))
        #expect(TestData.manifest.count == 24 * 4)
    }

    @Test("MV, Wawa, ZBS, GoldMV match crowd-kit", arguments: TestData.datasets)
    func parity(dataset: String) throws {
        let table = try AnswerReader.read(TestData.answersPath(dataset)).table
        let gold = try GoldReader.read(TestData.goldPath(dataset))
        for row in TestData.manifest where row.dataset == dataset {
            switch row.method {
            case "mv": try compare(try MajorityVote().fit(table), table, row)
            case "wawa": try compare(try Wawa().fit(table), table, row)
            case "zbs": try compare(try ZeroBasedSkill().fit(table), table, row)
            case "gold_mv":
                if row.status == "raises" {
                    // crowd-kit raises when a worker has no golden answer; so does .error …
                    #expect(throws: AggregationError.self) { try GoldMajorityVote(gold: gold, onMissingSkill: .error).fit(table) }
                    // … while Tally's default fills those workers in with the mean skill.
                    let model = try GoldMajorityVote(gold: gold).fit(table)
                    #expect(model.workersWithoutSkill > 0)
                } else {
                    try compare(try GoldMajorityVote(gold: gold, onMissingSkill: .error).fit(table), table, row)
                }
            default:
                Issue.record("unknown method \(row.method) in the manifest")
            }
        }
    }

    private func compare(_ model: VoteModel, _ table: AnswerTable, _ row: TestData.ManifestRow) throws {
        let dir = TestData.fixtures.appendingPathComponent(row.dataset)
        let context = "\(row.dataset) \(row.method)"
        try #require(row.status == "ok", "\(context): fixture status \(row.status)")
        #expect(table.taskCount == row.tasks, "\(context): task count")
        #expect(table.labelCount == row.labels, "\(context): label count")

        // Labels: identical for every task.
        let labelRows = TestData.rows(try TestData.gunzip(dir.appendingPathComponent("\(row.method).labels.tsv.gz"))).dropFirst()
        #expect(labelRows.count == table.taskCount, "\(context): labels rows")
        var labelMismatches = 0
        for r in labelRows {
            let t = try #require(table.tasks.lookup(r[0]), "\(context): task \(r[0]) missing")
            if table.labels[Int(model.labels[Int(t)])] != r[1] { labelMismatches += 1 }
        }
        #expect(labelMismatches == 0, "\(context): \(labelMismatches) labels differ from crowd-kit")

        // Probabilities: every cell within the tolerance, columns matched by label name.
        let probRows = TestData.rows(try TestData.gunzip(dir.appendingPathComponent("\(row.method).probas.tsv.gz")))
        let columns = try probRows[0].dropFirst().map { name in try #require(table.labels.index(of: name), "\(context): label \(name)") }
        var worst = 0.0, bad = 0
        for r in probRows.dropFirst() {
            let t = Int(try #require(table.tasks.lookup(r[0])))
            for (j, c) in columns.enumerated() {
                let expected = try #require(Double(r[j + 1]))
                let d = abs(model.probabilities[t, c] - expected)
                if !(d <= Self.tolerance) { bad += 1 }  // NaN on either side counts as a mismatch
                if d.isFinite { worst = max(worst, d) }
            }
        }
        #expect(probRows.count - 1 == table.taskCount)
        #expect(bad == 0, "\(context): \(bad) probabilities off by more than \(Self.tolerance) or NaN; max finite |Δp| = \(worst)")

        // Skills: per worker, within the tolerance.
        let skillRows = TestData.rows(try TestData.gunzip(dir.appendingPathComponent("\(row.method).skills.tsv.gz"))).dropFirst()
        let skills = try #require(model.skills)
        var worstSkill = 0.0, badSkills = 0
        for r in skillRows {
            let w = Int(try #require(table.workers.lookup(r[0]), "\(context): worker \(r[0])"))
            let d = abs(skills[w] - (Double(r[1]) ?? .nan))
            if !(d <= Self.tolerance) { badSkills += 1 }
            if d.isFinite { worstSkill = max(worstSkill, d) }
        }
        #expect(skillRows.count == table.workerCount, "\(context): skill rows")
        #expect(badSkills == 0, "\(context): \(badSkills) skills off by more than \(Self.tolerance) or NaN; max finite |Δskill| = \(worstSkill)")
    }
}
