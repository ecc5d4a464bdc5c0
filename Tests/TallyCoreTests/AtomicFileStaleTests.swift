import Foundation
import Testing
import TallyCore
import TallyTestSupport

/// A process killed while writing leaves its temporary file beside the destination; the next write
/// to that destination removes it, and leaves alone those of processes still running.
@Suite("AtomicFile: temporary files of killed writers")
struct AtomicFileStaleTests {
    /// The id of a process that has exited.
    static func deadPID() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test("the next write removes a dead writer's temporary file and keeps a live one's")
    func staleRemoved() throws {
        try withTempDirectory { dir in
            let dead = try Self.deadPID()
            let stale = ".labels.tsv.tmp-\(dead)-Ab12Cd"
            let live = ".labels.tsv.tmp-1-Ef34Gh"  // pid 1 always runs
            let other = ".other.tsv.tmp-\(dead)-Ij56Kl"  // another destination's: not this write's business
            for name in [stale, live, other] { _ = try writeFile(dir, name, "half a fi") }
            try AtomicFile.write(Array("task\tlabel\n".utf8), to: dir.appendingPathComponent("labels.tsv").path)
            let names = try listing(dir)
            #expect(!names.contains(stale), "\(names)")
            #expect(names.contains(live) && names.contains(other), "\(names)")
            #expect(readText(dir, "labels.tsv") == "task\tlabel\n")
            // The write's own temporary file is gone once it is in place.
            #expect(names.filter { $0.hasPrefix(".labels.tsv.tmp-") } == [live], "\(names)")
        }
    }

    @Test("a writer killed with SIGKILL in the middle of a write: its temporary file goes on the next write")
    func killedWriter() throws {
        try withTempDirectory { dir in
            // A child that opens a temporary file the way AtomicFile names it and is killed before it renames.
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/bin/sh")
            child.arguments = ["-c", "echo partial > \".out.json.tmp-$$-Zz99Yy\"; exec sleep 30"]
            child.currentDirectoryURL = dir
            try child.run()
            let name = ".out.json.tmp-\(child.processIdentifier)-Zz99Yy"
            for _ in 0..<100 where !(try listing(dir)).contains(name) { Thread.sleep(forTimeInterval: 0.05) }
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            #expect(try listing(dir).contains(name), "the killed writer left its file")
            try AtomicFile.write(Array("{}\n".utf8), to: dir.appendingPathComponent("out.json").path)
            #expect(try listing(dir) == ["out.json"])
        }
    }
}
