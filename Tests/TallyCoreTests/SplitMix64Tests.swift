import Testing
import TallyCore

@Suite("SplitMix64")
struct SplitMix64Tests {
    @Test("the reference outputs for seed 0; unit() is the top 53 bits")
    func reference() {
        var g = SplitMix64(seed: 0)
        #expect([g.next(), g.next(), g.next()] == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<1000 {
            let u = a.unit()
            #expect(u == Double(b.next() >> 11) * 0x1p-53 && (0..<1).contains(u))
        }
    }
}
