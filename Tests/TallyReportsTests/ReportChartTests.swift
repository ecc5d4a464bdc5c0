import Foundation
import TallyCore
import Testing
@testable import TallyReports

@Suite("Report charts (Vega-Lite)")
struct ReportChartTests {
    /// Parses JSON text with Foundation's parser (a check independent of our writer).
    func parse(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test("JSON writer: sorted keys, integral numbers without a fraction, shortest doubles, escapes, null for NaN")
    func jsonWriter() throws {
        let v: JSONValue = ["b": [1, 2.5, 0.1, 1e-05, -3, .number(.nan)], "a": "q\"\\\n\t\u{01}é", "c": [:], "d": [], "e": true, "f": nil]
        #expect(v.serialized() == #"{"a":"q\"\\\n\t\u0001é","b":[1,2.5,0.1,1e-05,-3,null],"c":{},"d":[],"e":true,"f":null}"#)
        #expect(v.serialized(indent: 1) == "{\n \"a\": \"q\\\"\\\\\\n\\t\\u0001é\",\n \"b\": [\n  1,\n  2.5,\n  0.1,\n  1e-05,\n  -3,\n  null\n ],\n \"c\": {},\n \"d\": [],\n \"e\": true,\n \"f\": null\n}")
        // Foundation reads back what we wrote.
        let back = try parse(v.serialized())
        #expect(back["a"] as? String == "q\"\\\n\t\u{01}é")
        #expect(JSONValue.rounded(2.0 / 3.0, decimals: 4).serialized() == "0.6667")
        #expect(JSONValue.rounded(0.000123456, significant: 3).serialized() == "0.000123")
        #expect(JSONValue.rounded(nil, decimals: 4) == .null)
        #expect(try JSONValue(parsing: Data(v.serialized().utf8)).serialized() == v.serialized().replacingOccurrences(of: "NaN", with: "null"))
    }

    @Test("accuracy chart: v5 schema, the rows inline and rounded, best ringed, published layer; same bytes twice")
    func accuracy() throws {
        let text = BenchCharts.accuracy(Sample.rows).serialized()
        #expect(text == BenchCharts.accuracy(Sample.rows).serialized())
        #expect(text == BenchCharts.accuracy(Array(Sample.rows)).serialized(pretty: true))
        let spec = try parse(text)
        #expect(spec["$schema"] as? String == "https://vega.github.io/schema/vega-lite/v5.json")
        let values = try #require((spec["data"] as? [String: Any])?["values"] as? [[String: Any]])
        #expect(values.count == 6)
        #expect(values[0]["dataset"] as? String == "alpha" && values[0]["method"] as? String == "mv")
        #expect(text.contains("\"accuracy\": 0.6667"), "accuracy rounded to 4 decimals")
        #expect(text.contains("\"published\": 0.81"))
        let layers = try #require(spec["layer"] as? [[String: Any]])
        #expect(layers.count == 3)
        #expect(text.contains("\"filter\": \"datum.best\""))
        #expect(text.contains("\"shape\": \"diamond\""))
        // Keys come out sorted at every level.
        #expect(text.range(of: "\"$schema\"")!.lowerBound < text.range(of: "\"data\"")!.lowerBound)

        // Without published values there is no diamond layer.
        let plain = BenchCharts.accuracy(Sample.rows.map { var r = $0; r.published = nil; return r })
        #expect(plain.layer?.count == 2)
        #expect(!plain.serialized().contains("diamond"))
    }

    @Test("fit-time chart: log scale on x, zero times filtered out, times to 3 significant digits")
    func fitTime() throws {
        let spec = BenchCharts.fitTime(Sample.rows)
        let text = spec.serialized()
        #expect(text == BenchCharts.fitTime(Sample.rows).serialized())
        let parsed = try parse(text)
        let x = try #require((parsed["encoding"] as? [String: Any])?["x"] as? [String: Any])
        #expect((x["scale"] as? [String: Any])?["type"] as? String == "log")
        #expect(x["field"] as? String == "seconds")
        #expect(text.contains("\"seconds\": 0.000123"))
        #expect(text.contains("datum.seconds > 0"))
        #expect(parsed["$schema"] as? String == VegaLite.schemaURL)
    }

    @Test("accuracy-versus-cost: exact bytes for a small table (compact form)")
    func costCurveGolden() throws {
        let table = try ChartTable(columns: ["overlap", "cost", "accuracy"], rows: [[1, 100, 0.7], [3, 300, 0.85]])
        let spec = try CostCurveChart(series: "overlap").spec(table)
        let expected = #"{"$schema":"https://vega.github.io/schema/vega-lite/v5.json","data":{"values":[{"accuracy":0.7,"cost":100,"overlap":1},{"accuracy":0.85,"cost":300,"overlap":3}]},"encoding":{"color":{"field":"overlap","sort":"ascending","type":"ordinal"},"order":{"field":"cost","type":"quantitative"},"tooltip":[{"field":"overlap","type":"quantitative"},{"field":"cost","type":"quantitative"},{"field":"accuracy","type":"quantitative"}],"x":{"field":"cost","scale":{"zero":false},"title":"cost","type":"quantitative"},"y":{"field":"accuracy","scale":{"zero":false},"title":"accuracy","type":"quantitative"}},"height":300,"mark":{"point":true,"type":"line"},"title":{"subtitle":"One line per overlap.","text":"Accuracy versus cost"},"transform":[{"filter":"isValid(datum[\"cost\"]) && isValid(datum[\"accuracy\"])"}],"width":480}"#
        #expect(spec.serialized(pretty: false) == expected)
    }

    @Test("accuracy-versus-cost: every column in the tooltip, nominal series for text, log x on request")
    func costCurve() throws {
        let table = try Sample.study()
        let byOverlap = try CostCurveChart(series: "overlap", title: "Overlap study", logX: true).spec(table)
        #expect(byOverlap.encoding?.tooltip?.map(\.field) == ["overlap", "cost", "accuracy", "method", "seed"])
        #expect(byOverlap.encoding?.tooltip?.map(\.type) == ["quantitative", "quantitative", "quantitative", "nominal", "quantitative"])
        #expect(byOverlap.encoding?.color?.type == "ordinal")
        #expect(byOverlap.encoding?.x?.scale?.type == "log")
        #expect(byOverlap.data?.values.count == 9)
        let byMethod = try CostCurveChart(series: "method").spec(table)
        #expect(byMethod.encoding?.color?.type == "nominal")
        let single = try CostCurveChart().spec(table)
        #expect(single.encoding?.color == nil)

        // Field names with dots are escaped for Vega-Lite, and read by name in expressions.
        let dotted = try ChartTable(columns: ["cost.usd", "accuracy"], rows: [[1, 0.5]])
        let spec = try CostCurveChart(x: "cost.usd").spec(dotted)
        #expect(spec.encoding?.x?.field == "cost\\.usd")
        #expect(spec.serialized(pretty: false).contains(#"isValid(datum[\"cost.usd\"])"#))
    }

    @Test("accuracy-versus-cost: missing or non-numeric columns and ragged rows are refused with the column named")
    func costCurveErrors() throws {
        let table = try Sample.study()
        #expect(throws: ChartTable.Error(message: "no column 'budget'; the table has 'overlap', 'cost', 'accuracy', 'method', 'seed'")) {
            try CostCurveChart(x: "budget").spec(table)
        }
        #expect(throws: ChartTable.Error(message: "column 'method' must hold numbers to be an axis of 'Accuracy versus cost'")) {
            try CostCurveChart(y: "method").spec(table)
        }
        #expect(throws: ChartTable.Error(message: "row 2 has 1 values, expected 2 (cost, accuracy)")) {
            try ChartTable(columns: ["cost", "accuracy"], rows: [[1, 2], [1]])
        }
    }
}
