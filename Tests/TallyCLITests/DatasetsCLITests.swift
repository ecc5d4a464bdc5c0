import Foundation
import Testing
import TallyTestSupport

@Suite("tally datasets and compressed inputs")
struct DatasetsCLITests {
    @Test("tally datasets lists the shipped sets with counts read from the files and their licence and source")
    func text() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["datasets", RealDatasets.shipped.path], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let lines = out.stdout.split(separator: "\n").map(String.init)
            #expect(lines.first?.hasPrefix("data set") == true)
            // bluebirds: 108 tasks, 39 workers, 4212 answers, 2 labels, 108 gold (its README's counts).
            let bluebirds = try #require(lines.first { $0.hasPrefix("bluebirds ") })
            #expect(bluebirds.split(separator: " ").prefix(7).map(String.init) == ["bluebirds", "108", "39", "4212", "2", "108", "Clear"], "\(bluebirds)")
            #expect(bluebirds.hasSuffix("github.com/welinder/cubam@fe5ba70"))
            #expect(out.stdout.contains("\(RealDatasets.shippedNames.count) data sets"))
            #expect(out.stdout.contains("left out (no licence allows redistribution): spectral-trec, vldb-dog"))
        }
    }

    @Test("tally datasets --format json: every shipped set, the left-out ones with their reason")
    func json() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["datasets", RealDatasets.shipped.path, "--format", "json"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            let sets = try #require(object["datasets"] as? [[String: Any]])
            #expect(sets.compactMap { $0["name"] as? String } == RealDatasets.shippedNames)
            let fact = try #require(sets.first { $0["name"] as? String == "crowdscale-fact" })
            #expect(fact["answers"] as? Int == 216_725 && fact["tasks"] as? Int == 42_624 && fact["workers"] as? Int == 57)
            #expect(fact["labels"] as? Int == 3 && fact["gold_tasks"] as? Int == 576)
            #expect((fact["licence"] as? String)?.hasPrefix("MIT") == true)
            let left = try #require(object["left_out"] as? [[String: Any]])
            #expect(left.count == 8 && left.allSatisfy { ($0["reason"] as? String)?.hasPrefix("licence: none found") == true })
        }
    }

    @Test("the catalog and the folder agree: every included set is shipped, every shipped set is in the catalog")
    func catalogMatchesFolder() throws {
        let text = try String(contentsOf: RealDatasets.shipped.appendingPathComponent("catalog.tsv"), encoding: .utf8)
        let rows = text.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        #expect(rows.count == 24)
        #expect(rows.filter { $0[1] == "yes" }.map { $0[0] }.sorted() == RealDatasets.shippedNames)
        for name in RealDatasets.shippedNames {
            let readme = try String(contentsOf: RealDatasets.shipped.appendingPathComponent("\(name)/README.md"), encoding: .utf8)
            #expect(readme.contains("## Licence / terms") && readme.contains("## Redistribution in Tally") && readme.contains("## Origin"), "\(name)")
        }
    }

    @Test("a missing or unreadable folder is a clear error (exit 66), a malformed catalog names its line and field (exit 65)")
    func errors() throws {
        try withTempDirectory { dir in
            let missing = try CLI.run(["datasets", "no-such-folder"], in: dir)
            #expect(missing.status == 66 && missing.stderr.contains("no-such-folder"), "\(missing.stderr)")
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("sets/a"), withIntermediateDirectories: true)
            _ = try writeFile(dir, "sets/a/answers.tsv", "task\tworker\tlabel\nt1\tw1\tx\n")
            _ = try writeFile(dir, "sets/a/gold.tsv", "task\tlabel\nt1\tx\n")
            _ = try writeFile(dir, "sets/catalog.tsv", "name\tincluded\tlicence\nb\tmaybe\tMIT\n")
            let bad = try CLI.run(["datasets", "sets"], in: dir)
            #expect(bad.status == 65 && bad.stderr.contains("sets/catalog.tsv:2: field 'included'"), "\(bad.stderr)")
            _ = try writeFile(dir, "sets/catalog.tsv", "name\tincluded\tlicence\na\tyes\tMIT\n")
            let good = try CLI.run(["datasets", "sets"], in: dir)
            #expect(good.status == 0, "\(good.stderr)")
            let row = good.stdout.split(separator: "\n").first { $0.hasPrefix("a ") }?.split(separator: " ").map(String.init)
            #expect(row == ["a", "1", "1", "1", "1", "1", "MIT", "-"], "\(good.stdout)")
        }
    }

    @Test("aggregate and evaluate read .gz files and gzip on standard input")
    func compressedInputs() throws {
        let answers = RealDatasets.shipped.appendingPathComponent("bluebirds/answers.tsv.gz").path
        let gold = RealDatasets.shipped.appendingPathComponent("bluebirds/gold.tsv.gz").path
        try withTempDirectory { dir in
            let out = try CLI.run(["aggregate", answers, "--method", "mv", "--out", "labels.tsv", "--gold", gold], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            #expect(out.stderr.contains("read 4212 answers: 108 tasks, 39 workers, 2 labels"), "\(out.stderr)")
            let evaluated = try CLI.run(["evaluate", "labels.tsv", "--gold", gold], in: dir)
            #expect(evaluated.status == 0 && evaluated.stdout.contains("scored 108 of 108 gold tasks"), "\(evaluated.stdout)")
            let piped = try CLI.run(["aggregate", "-", "--method", "mv"], in: dir, stdin: try Data(contentsOf: URL(fileURLWithPath: answers)))
            #expect(piped.status == 0 && piped.stdout.split(separator: "\n").count == 109, "\(piped.stderr)")
            _ = try writeFile(dir, "cut.tsv.gz", Array(try Data(contentsOf: URL(fileURLWithPath: answers)).prefix(500)))
            let truncated = try CLI.run(["aggregate", "cut.tsv.gz", "--method", "mv"], in: dir)
            #expect(truncated.status == 65 && truncated.stderr.contains("cut.tsv.gz: not a valid gzip file"), "\(truncated.stderr)")
        }
    }
}
