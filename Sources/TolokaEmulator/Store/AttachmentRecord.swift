import Foundation
import TallyCore

/// A file a simulated Toloker attached as the answer to a `file` output (`/api/v1/attachments`).
///
/// Its bytes are made when downloaded, from its id alone (so they depend only on the seed): a
/// 16×16 PNG of one colour, a quarter-second WAV tone, or for video fields a minimal ISO-BMFF
/// file (`ftyp` and `free` boxes: a valid container header, not a playable video).
struct AttachmentRecord {
    /// `png`, `wav` or `mp4`.
    enum Kind: String { case png, wav, mp4 }

    let id: String
    let kind: Kind
    let poolID: Int
    let assignmentID: String
    let worker: Int32
    let created: Double

    /// The file name the API shows.
    var name: String { "\(id.prefix(8)).\(kind.rawValue)" }
    var mediaType: String {
        switch kind {
        case .png: "image/png"
        case .wav: "audio/wav"
        case .mp4: "video/mp4"
        }
    }

    /// The file's bytes.
    var bytes: Data {
        let seed = stableHash(id)
        switch kind {
        case .png: return Media.png(red: UInt8(seed & 0xff), green: UInt8(seed >> 8 & 0xff), blue: UInt8(seed >> 16 & 0xff))
        case .wav: return Media.wav(frequency: 200 + Double(seed % 600))
        case .mp4: return Media.mp4()
        }
    }
}

/// Small valid media files, written byte by byte (no codec library).
enum Media {
    /// A `size`×`size` RGB PNG of one colour; its image data is zlib with stored (uncompressed) blocks.
    static func png(red: UInt8, green: UInt8, blue: UInt8, size: Int = 16) -> Data {
        var raw: [UInt8] = []
        for _ in 0..<size {
            raw.append(0)
            for _ in 0..<size { raw += [red, green, blue] }
        }
        var zlib: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65_535, raw.count - offset)
            zlib.append(offset + n == raw.count ? 1 : 0)
            zlib += le16(n) + le16(~n & 0xffff)
            zlib += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        zlib += be32(adler32(raw))
        var out: [UInt8] = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
        out += chunk("IHDR", be32(UInt32(size)) + be32(UInt32(size)) + [8, 2, 0, 0, 0])
        out += chunk("IDAT", zlib)
        out += chunk("IEND", [])
        return Data(out)
    }

    /// A 16-bit mono PCM WAV of `seconds` of a sine tone.
    static func wav(frequency: Double, seconds: Double = 0.25, rate: Int = 8000) -> Data {
        let n = Int(seconds * Double(rate))
        var samples: [UInt8] = []
        samples.reserveCapacity(2 * n)
        for i in 0..<n {
            let v = Int16(8000 * sin(2 * Double.pi * frequency * Double(i) / Double(rate)))
            samples += le16(Int(UInt16(bitPattern: v)))
        }
        var out = Array("RIFF".utf8) + le32(UInt32(36 + samples.count)) + Array("WAVEfmt ".utf8)
        out += le32(16) + le16(1) + le16(1) + le32(UInt32(rate)) + le32(UInt32(rate * 2)) + le16(2) + le16(16)
        out += Array("data".utf8) + le32(UInt32(samples.count)) + samples
        return Data(out)
    }

    /// An ISO-BMFF file with an `ftyp` box (brand `isom`) and an empty `free` box.
    static func mp4() -> Data {
        let ftyp = be32(24) + Array("ftypisom".utf8) + be32(0x200) + Array("isommp41".utf8)
        return Data(ftyp + be32(8) + Array("free".utf8))
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return be32(UInt32(data.count)) + body + be32(crc32(body))
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }
    static func le32(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
    static func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for x in bytes {
            a = (a + UInt32(x)) % 65_521
            b = (b + a) % 65_521
        }
        return b << 16 | a
    }

    static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xffff_ffff
        for x in bytes { c = crcTable[Int((c ^ UInt32(x)) & 0xff)] ^ (c >> 8) }
        return c ^ 0xffff_ffff
    }
}
