import Foundation
import Testing
import TallyCore
import TallyTestSupport

@Suite("AtomicFile")
struct AtomicFileTests {
    static func contents(_ dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
    }

    @Test("writes a new file")
    func writesNewFile() throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("labels.tsv").path
            try AtomicFile.write(Array("task\tlabel\nt\ta\n".utf8), to: path)
            #expect(FileManager.default.contents(atPath: path) == Data("task\tlabel\nt\ta\n".utf8))
            #expect(try Self.contents(dir) == ["labels.tsv"], "no temporary file is left behind")
        }
    }

    @Test("an empty output is an empty file")
    func emptyOutput() throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("empty.tsv").path
            try AtomicFile.write([], to: path)
            #expect(FileManager.default.contents(atPath: path) == Data())
        }
    }

    @Test("replaces an existing file by renaming a new one over it")
    func replacesAtomically() throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("labels.tsv").path
            try writeFile(dir, "labels.tsv", "old contents, rather longer than the new ones\n")
            // A reader that opened the old file keeps seeing the old file: it was replaced, not
            // truncated and rewritten in place.
            let reader = try #require(FileHandle(forReadingAtPath: path))
            defer { try? reader.close() }
            let before = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
            try AtomicFile.write(Array("new\n".utf8), to: path)
            let after = try FileManager.default.attributesOfItem(atPath: path)[.systemFileNumber] as? Int
            #expect(FileManager.default.contents(atPath: path) == Data("new\n".utf8))
            #expect(String(decoding: reader.readDataToEndOfFile(), as: UTF8.self) == "old contents, rather longer than the new ones\n")
            #expect(before != nil && before != after, "a new inode took the name")
            #expect(try Self.contents(dir) == ["labels.tsv"])
        }
    }

    @Test("a new file gets 0666 less the umask; a replaced file keeps its mode")
    func permissions() throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("p.tsv").path
            let mask = umask(0o022)
            defer { umask(mask) }
            try AtomicFile.write(Array("x\n".utf8), to: path)
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o644)
            chmod(path, 0o600)
            try AtomicFile.write(Array("y\n".utf8), to: path)
            let kept = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(kept == 0o600)
        }
    }

    @Test("several outputs: a directory among them fails before any file is replaced")
    func allOrNothing() throws {
        try withTempDirectory { dir in
            let a = dir.appendingPathComponent("a.tsv").path
            try Data("old a\n".utf8).write(to: URL(fileURLWithPath: a))
            let sub = dir.appendingPathComponent("sub")
            try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
            #expect(throws: AtomicFile.WriteError.self) {
                try AtomicFile.write([(Array("new a\n".utf8), a), (Array("b\n".utf8), sub.path)])
            }
            #expect(FileManager.default.contents(atPath: a) == Data("old a\n".utf8))
            #expect(try Self.contents(dir) == ["a.tsv", "sub"])
        }
    }

    @Test("a missing destination directory throws, leaves good files alone and no temp file")
    func missingDirectory() throws {
        try withTempDirectory { dir in
            try writeFile(dir, "labels.tsv", "good\n")
            let path = dir.appendingPathComponent("missing/labels.tsv").path
            let error = try #require(throws: AtomicFile.WriteError.self) { try AtomicFile.write(Array("new\n".utf8), to: path) }
            #expect(error.path == path)
            #expect(error.message.hasPrefix("cannot create a temporary file in \(dir.path)/missing: "))
            #expect(error.description == "\(path): \(error.message)")
            #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing").path))
            #expect(FileManager.default.contents(atPath: dir.appendingPathComponent("labels.tsv").path) == Data("good\n".utf8))
            #expect(try Self.contents(dir) == ["labels.tsv"])
        }
    }

    @Test("a destination that cannot be replaced throws, stays as it was, and no temp file is left")
    func renameFails() throws {
        try withTempDirectory { dir in
            // A non-empty directory where the file should go: it cannot be written or replaced.
            let target = dir.appendingPathComponent("labels.tsv")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: false)
            try writeFile(target, "inside", "good\n")
            let error = try #require(throws: AtomicFile.WriteError.self) { try AtomicFile.write(Array("new\n".utf8), to: target.path) }
            #expect(error.path == target.path)
            #expect(try Self.contents(dir) == ["labels.tsv"], "no temporary file is left behind")
            #expect(try Self.contents(target) == ["inside"])
            #expect(FileManager.default.contents(atPath: target.appendingPathComponent("inside").path) == Data("good\n".utf8))
        }
    }

    @Test("writing through a symlink replaces the file it points to and keeps the link")
    func symlink() throws {
        try withTempDirectory { dir in
            try FileManager.default.createDirectory(at: dir.appendingPathComponent("real"), withIntermediateDirectories: false)
            let target = try writeFile(dir.appendingPathComponent("real"), "labels.tsv", "old\n")
            let link = dir.appendingPathComponent("link.tsv").path
            try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
            try AtomicFile.write(Array("new\n".utf8), to: link)
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
            #expect(FileManager.default.contents(atPath: target) == Data("new\n".utf8))
            #expect(try Self.contents(dir.appendingPathComponent("real")) == ["labels.tsv"])
            #expect(try Self.contents(dir) == ["link.tsv", "real"])
        }
    }

    @Test("a device is written in place (/dev/null)")
    func device() throws {
        try AtomicFile.write(Array("discarded\n".utf8), to: "/dev/null")
        let dev = try FileManager.default.contentsOfDirectory(atPath: "/dev")
        #expect(!dev.contains { $0.hasPrefix(".null.tmp-") })
    }

    @Test("a large output is written whole")
    func largeOutput() throws {
        try withTempDirectory { dir in
            let path = dir.appendingPathComponent("big.bin").path
            // Larger than one write(2) is sure to take in one go.
            var bytes = [UInt8](repeating: 0, count: 3 << 20)
            bytes.withUnsafeMutableBufferPointer { b in
                for i in 0..<b.count { b[i] = UInt8(truncatingIfNeeded: i &* 31 &+ i >> 8) }
            }
            try AtomicFile.write(bytes, to: path)
            #expect(FileManager.default.contents(atPath: path) == Data(bytes))
        }
    }
}
