import Foundation
import Testing

@Suite("locating the tally binary")
struct CLILocatorTests {
    @Test("the tally executable is found and runs")
    func found() throws {
        let binary = try #require(CLI.binary, "\(CLI.NotFound(searched: CLI.candidates.map(\.path)))")
        #expect(FileManager.default.isExecutableFile(atPath: binary.path))
        let out = try withTempDirectory { try CLI.run(["--version"], in: $0) }
        #expect(out.status == 0)
        #expect(out.stdout.first?.isNumber == true, "version: \(out.stdout)")
    }
}
