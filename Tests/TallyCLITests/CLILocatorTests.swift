import Foundation
import Testing
import TallyTestSupport

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

    @Test("when the binary is missing, the error says how to build it and where it looked")
    func notFoundMessage() {
        let message = CLI.NotFound(searched: ["/nowhere/debug/tally", "/elsewhere/tally"]).description
        #expect(message.contains("swift build --build-tests"))
        #expect(message.contains("TALLY_BINARY"))
        #expect(message.contains("/nowhere/debug/tally, /elsewhere/tally"))
    }
}
