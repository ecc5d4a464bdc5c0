import Testing
import TallyCore
import TallyAggregation

@Suite("MethodResult.priors")
struct MethodResultPriorsTests {
    @Test("the methods that estimate a class prior give it through the registry; the others give nil")
    func priors() throws {
        let t = try MethodRegistryTests.table()
        let gold = GoldLabels(["t1": "a", "t2": "b"])
        for m in MethodRegistry.methods(for: .categorical) {
            let r = try m.fit(t, inputs: MethodInputs(gold: gold))
            switch m.name {
            case "ds", "onecoin-ds":
                let model = try #require(r.model as? DawidSkeneModel)
                #expect(r.priors == model.priors, "\(m.name)")
            case "glad":
                #expect(r.priors == (r.model as? GLADModel)?.priors)
            case "ibcc":
                #expect(r.priors == (r.model as? IBCCModel)?.classProportions)
            case "mv", "wawa", "zbs", "gold-mv", "mace", "kos", "mmsr":
                #expect(r.priors == nil, "\(m.name)")
            default:
                break  // a method added later: its priors, if any, are checked below
            }
            if let p = r.priors {
                #expect(p.count == t.labelCount && abs(p.reduce(0, +) - 1) < 1e-9, "\(m.name)")
            }
        }
    }
}
