import Foundation
import Testing
import TallyTestSupport

@Suite("tally bench")
struct BenchCLITests {
    @Test("bench over the real datasets: 23 categorical sets, JOSS values beside ours")
    func realDatasets() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["bench", "--datasets", Repository.sharedDatasets.path, "--methods", "mv,ds", "--out-dir", "bench",
                                   "--published", Repository.root.appendingPathComponent("datasets/published-accuracy.tsv").path, "-q"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let tsv = try String(contentsOf: dir.appendingPathComponent("bench/results.tsv"), encoding: .utf8)
            let rows = tsv.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            #expect(rows.count == 46)
            let product = try #require(rows.first { $0[0] == "vldb-product" && $0[1] == "ds" })
            #expect(product[5] == "0.9397" && product[10] == "1" && product[11] == "0.940")
            let md = try String(contentsOf: dir.appendingPathComponent("bench/results.md"), encoding: .utf8)
            #expect(md.contains("vldb-emotion: 96 distinct labels"))
        }
    }
}
