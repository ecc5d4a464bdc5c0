import Foundation
import Testing
import TallyTestSupport

/// `tally aggregate --compact`: ds and onecoin-ds on the compact table give the full table's labels
/// byte for byte; what the compact table cannot serve is refused with the reason (`always`) or
/// read into the full table (`auto`).
@Suite struct CompactCLITests {
    @Test func compactLabelsEqualTheFullTablesAndObstaclesAreNamed() throws {
        try withTempDirectory("tally-compact") { dir in
            let s = try CLI.run(["synth", "--tasks", "20000", "--workers", "300", "--overlap", "5", "--seed", "3", "--no-sync", "--out-dir", "s", "-q"], in: dir)
            #expect(s.status == 0, "\(s.stderr)")
            for method in ["ds", "onecoin-ds"] {
                let a = try CLI.run(["aggregate", "s/answers.arrow", "--method", method, "--compact", "always", "--out", "compact.tsv"], in: dir)
                let b = try CLI.run(["aggregate", "s/answers.arrow", "--method", method, "--compact", "never", "--out", "full.tsv"], in: dir)
                #expect(a.status == 0 && b.status == 0, "\(a.stderr)\(b.stderr)")
                #expect(a.stderr.contains("compact table, 4.") && a.stderr.contains("rows already grouped by task"), "\(a.stderr)")
                #expect(!b.stderr.contains("compact table"))
                #expect(readText(dir, "compact.tsv") != nil && readText(dir, "compact.tsv") == readText(dir, "full.tsv"), "\(method)")
                let loss = { (text: String) in text.split(separator: "\n").first { $0.contains("iterations, loss") }.map(String.init) }
                #expect(loss(a.stderr) != nil && loss(a.stderr) == loss(b.stderr))
            }
            // Small files take the full table unless asked.
            let auto = try CLI.run(["aggregate", "s/answers.arrow", "--method", "ds", "--out", "auto.tsv"], in: dir)
            #expect(auto.status == 0 && !auto.stderr.contains("compact table"))
            let p = try CLI.run(["aggregate", "s/answers.arrow", "--method", "ds", "--compact", "always", "--probabilities", "p.tsv"], in: dir)
            #expect(p.status != 0 && p.stderr.contains("--probabilities needs the full table"), "\(p.stderr)")
            let mv = try CLI.run(["aggregate", "s/answers.arrow", "--method", "mv", "--compact", "always"], in: dir)
            #expect(mv.status != 0 && mv.stderr.contains("ds and onecoin-ds only"), "\(mv.stderr)")
            let plain = Repository.file("Tests/ArrowFixtures/polars-default.arrow").path
            let r = try CLI.run(["aggregate", plain, "--method", "ds", "--compact", "always"], in: dir)
            #expect(r.status == 65 && r.stderr.contains("not dictionary-encoded"), "\(r.stderr)")
        }
    }
}
