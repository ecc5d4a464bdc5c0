import Foundation
import Testing
import TallyTestSupport

@Suite("tally bench")
struct BenchCLITests {
    @Test("bench over the shipped data sets (gzip-compressed): 16 categorical sets, JOSS values beside ours")
    func shippedDatasets() throws {
        try withTempDirectory { dir in
            let out = try CLI.run(["bench", "--datasets", RealDatasets.shipped.path, "--methods", "mv,ds", "--out-dir", "bench",
                                   "--published", Repository.root.appendingPathComponent("datasets/published-accuracy.tsv").path, "-q"], in: dir)
            #expect(out.status == 0, "stderr: \(out.stderr)")
            let tsv = try String(contentsOf: dir.appendingPathComponent("bench/results.tsv"), encoding: .utf8)
            let rows = tsv.split(separator: "\n").dropFirst().map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
            #expect(rows.count == 2 * RealDatasets.shippedNames.count)
            #expect(Set(rows.map { String($0[0]) }) == Set(RealDatasets.shippedNames))
            // Dawid-Skene on vldb-adult: crowd-kit's 0.7658 (README); the JOSS table printed 0.748.
            let adult = try #require(rows.first { $0[0] == "vldb-adult" && $0[1] == "ds" })
            #expect(adult[5] == "0.7658" && adult[11] == "0.748", "\(adult)")
        }
    }

    @Test("bench over an outside copy of all 24 sets: 23 categorical, JOSS values beside ours",
          .enabled(if: RealDatasets.outside.map { FileManager.default.fileExists(atPath: $0.appendingPathComponent("vldb-product").path) } ?? false,
                   "needs an outside copy of all 24 data sets (TALLY_DATASETS or ../shared/datasets)"))
    func outsideDatasets() throws {
        let outside = try #require(RealDatasets.outside)
        try withTempDirectory { dir in
            let out = try CLI.run(["bench", "--datasets", outside.path, "--methods", "mv,ds", "--out-dir", "bench",
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
