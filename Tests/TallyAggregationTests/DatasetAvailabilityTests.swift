import Foundation
import Testing
import TallyTestSupport

/// Says, in the test log, which parity data sets this run could not read (their test cases are
/// cancelled one by one, which the console does not list), and checks that every set the
/// fixtures cover is either shipped in datasets/real or left out by the catalog with a reason.
@Suite("real data sets available to the parity tests")
struct DatasetAvailabilityTests {
    @Test("every fixture data set is shipped, or left out by datasets/real/catalog.tsv")
    func shippedOrLeftOut() throws {
        let catalog = try String(contentsOf: RealDatasets.shipped.appendingPathComponent("catalog.tsv"), encoding: .utf8)
        var leftOut: Set<String> = []
        for line in catalog.split(separator: "\n") {
            let cells: [Substring] = line.split(separator: "\t", omittingEmptySubsequences: false)
            if cells.count > 2 && cells[1] == "no" { leftOut.insert(String(cells[0])) }
        }
        let shipped = Set(RealDatasets.shippedNames)
        for name in TestData.datasets where name != "toy" {
            #expect(shipped.contains(name) != leftOut.contains(name), "\(name): shipped \(shipped.contains(name)), left out \(leftOut.contains(name))")
        }
        #expect(shipped.count >= 16)
    }

    @Test("all 23 categorical parity sets are readable here (else: cancelled, naming the missing ones)")
    func allReadable() throws {
        let missing = TestData.datasets.filter { $0 != "toy" && !RealDatasets.isAvailable($0) }
        if !missing.isEmpty {
            try Test.cancel(Comment(rawValue: "\(missing.count) of \(TestData.datasets.count - 1) parity data sets are not here, so their test cases were skipped: \(missing.joined(separator: ", ")) (set TALLY_DATASETS to a folder holding them)"))
        }
        #expect(TestData.datasets.count - 1 == 23)
    }
}
