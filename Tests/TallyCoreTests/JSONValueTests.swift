import Foundation
import Testing
import TallyCore

@Suite("JSONValue: parsing, accessors and the writer")
struct JSONValueTests {
    @Test("integers beyond 2^53 make the round trip exactly; floats stay floats")
    func integers() throws {
        let big: Int64 = 9_007_199_254_740_993  // 2^53 + 1: not a Double
        let text = #"{"id":9007199254740993,"max":9223372036854775807,"min":-9223372036854775808,"x":2.5}"#
        let v = try JSONValue(parsing: text)
        #expect(v["id"] == .int(big))
        #expect(v["max"] == .int(.max))
        #expect(v["min"] == .int(.min))
        #expect(v["x"] == .double(2.5))
        #expect(v.serialized() == text)
        #expect(v.serialized(numbers: .python) == text)
        #expect(try JSONValue(parsing: v.serializedData()) == v)
        // Past Int64 a number is a Double.
        #expect(try JSONValue(parsing: "18446744073709551616") == .double(18_446_744_073_709_551_616))
        // Foundation reads an integral number as an integer, however it is spelled.
        #expect(try JSONValue(parsing: "[3, 3.0, 1e3, -0]") == [.int(3), .int(3), .int(1000), .int(0)])
        // Codable (inside another type) and encoding another type give the same values.
        #expect(try JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) == v.objectValue)
        #expect(try JSONValue(encoding: ["id": big]) == ["id": .int(big)])
        #expect(try JSONValue(parsing: JSONEncoder().encode(v)) == v)
    }

    @Test("floats: shortest form, or with a fraction as Python writes them", arguments: [
        (3.0, "3", "3.0"), (-0.0, "0", "-0.0"), (0.0, "0", "0.0"), (-3.0, "-3", "-3.0"), (2.5, "2.5", "2.5"),
        (0.1, "0.1", "0.1"), (1e-05, "1e-05", "1e-05"), (123_456_789.125, "123456789.125", "123456789.125"),
        (1e15, "1000000000000000", "1000000000000000.0"), (1e16, "1e+16", "1e+16"),
        (9_007_199_254_740_992, "9007199254740992", "9007199254740992.0"),
        (9_007_199_254_740_994, "9.007199254740994e+15", "9.007199254740994e+15"),
        (Double.nan, "null", "null"), (Double.infinity, "null", "null"), (-Double.infinity, "null", "null"),
    ] as [(Double, String, String)])
    func floats(value: Double, shortest: String, python: String) throws {
        #expect(JSONValue.double(value).serialized() == shortest)
        #expect(JSONValue.double(value).serialized(numbers: .python) == python)
        if value.isFinite {
            #expect(try JSONValue(parsing: python).doubleValue == value)
            #expect(try JSONValue(parsing: shortest).doubleValue == value)
        }
    }

    @Test("strings: only quotes, backslashes and control characters are escaped")
    func escaping() throws {
        let s = "q\"\\/\n\r\t\u{08}\u{0C}\u{01}\u{1F}\u{7F} é 日本 🎉"
        let text = #""q\"\\/\n\r\t\b\f\u0001\u001f"# + "\u{7F} é 日本 🎉\""
        #expect(JSONValue.string(s).serialized() == text)
        #expect(try JSONValue(parsing: text) == .string(s))
        #expect(try JSONValue(parsing: #""\u00e9\ud83c\udf89\/""#) == "é🎉/")
        #expect(JSONValue.object([s: .null]).serialized() == "{\(text):null}")
    }

    @Test("keys are sorted by their UTF-8 bytes, at every level; indent puts one member per line")
    func sortedKeys() throws {
        let v: JSONValue = ["b": [1, 2.5, true, nil], "a": ["z": "y", "é": 1, "Z": [:], "aa": []], "B": 0.5]
        #expect(v.serialized() == #"{"B":0.5,"a":{"Z":{},"aa":[],"z":"y","é":1},"b":[1,2.5,true,null]}"#)
        #expect(v.serialized(indent: 1) == """
            {
             "B": 0.5,
             "a": {
              "Z": {},
              "aa": [],
              "z": "y",
              "é": 1
             },
             "b": [
              1,
              2.5,
              true,
              null
             ]
            }
            """)
        #expect(v.serialized(indent: 2).contains("\n    \"Z\": {},\n"))
        // Unsorted output holds the same members.
        let unsorted = v.serialized(sortedKeys: false)
        #expect(try JSONValue(parsing: unsorted) == v)
        #expect(String(decoding: v.serializedData(), as: UTF8.self) == v.serialized())
        var bytes = Array("x=".utf8)
        v["b"]!.write(to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == "x=[1,2.5,true,null]")
    }

    @Test("accessors answer only for their own kind")
    func accessors() throws {
        let v = try JSONValue(parsing: #"{"s":"x","i":7,"d":7.5,"w":7.0,"b":false,"n":null,"a":[1,"two"],"o":{"k":1}}"#)
        #expect(v["s"]?.stringValue == "x" && v["i"]?.stringValue == nil)
        #expect(v["i"]?.intValue == 7 && v["i"]?.doubleValue == 7)
        #expect(v["d"]?.intValue == nil && v["d"]?.doubleValue == 7.5)
        #expect(v["w"]?.intValue == 7)
        #expect(JSONValue.double(7).intValue == 7 && JSONValue.double(1e300).intValue == nil)
        #expect(v["b"]?.boolValue == false && v["s"]?.boolValue == nil)
        #expect(v["n"]?.isNull == true && v["missing"] == nil)
        #expect(v["a"]?[1] == "two" && v["a"]?[2] == nil && v["a"]?.arrayValue?.count == 2)
        #expect(v["o"]?.objectValue == ["k": .int(1)] && v["o"]?["k"] == 1)
        #expect(v["s"]?["k"] == nil && v["o"]?[0] == nil)
        #expect(JSONValue.int(1) != .double(1))
        let literal: JSONValue = ["a": 1, "a2": 1.5, "s": "t", "n": nil, "l": [true]]
        #expect(literal == .object(["a": .int(1), "a2": .double(1.5), "s": .string("t"), "n": .null, "l": .array([.bool(true)])]))
    }

    /// (Foundation's parser lets a trailing comma pass: `[1,]` is `[1]`.)
    @Test("text that is not JSON throws DecodingError.dataCorrupted", arguments: [
        "", " ", "{", "[1,", "{\"a\" 1}", "{a:1}", "'a'", "tru", "01", "1.", "+1", ".5", "NaN",
        "\"unterminated", "\"bad \\x escape\"", "[1] [2]", "{\"a\":1}x", "\u{FEFF}",
    ])
    func parseErrors(text: String) {
        #expect {
            try JSONValue(parsing: text)
        } throws: { error in
            guard case DecodingError.dataCorrupted = error else { return false }
            return true
        }
    }

    @Test("a top-level scalar parses; white space around a value is fine")
    func scalars() throws {
        #expect(try JSONValue(parsing: " null ") == .null)
        #expect(try JSONValue(parsing: "true") == true)
        #expect(try JSONValue(parsing: "\n-12\t") == -12)
        #expect(try JSONValue(parsing: "\"s\"") == "s")
        #expect(try JSONValue(parsing: "[]") == [])
        #expect(try JSONValue(parsing: "{}") == [:])
    }
}
