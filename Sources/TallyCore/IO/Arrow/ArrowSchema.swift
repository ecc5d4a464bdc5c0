/// The logical type of an Arrow column, as far as Tally needs to tell types apart (`Schema.fbs`'s
/// `Type` union). Types Tally does not read are kept by name, so that a column of them can be
/// skipped (when its buffers can be counted) or named in an error.
enum ArrowType: Equatable {
    /// An integer of `bits` (8, 16, 32, 64), signed or not.
    case int(bits: Int, signed: Bool)
    /// UTF-8 strings with 32-bit offsets (`utf8`, `string`).
    case utf8
    /// UTF-8 strings with 64-bit offsets (`large_utf8`, `large_string`).
    case largeUtf8
    /// UTF-8 string views (`string_view`; polars' default string layout).
    case utf8View
    /// Any other type: its union tag and name.
    case other(tag: UInt8, name: String)

    /// The union tags of `Schema.fbs`'s `Type`, by name.
    static let names: [UInt8: String] = [
        0: "none", 1: "null", 2: "int", 3: "floating point", 4: "binary", 5: "utf8", 6: "bool", 7: "decimal",
        8: "date", 9: "time", 10: "timestamp", 11: "interval", 12: "list", 13: "struct", 14: "union",
        15: "fixed-size binary", 16: "fixed-size list", 17: "map", 18: "duration", 19: "large binary",
        20: "large utf8", 21: "large list", 22: "run-end encoded", 23: "binary view", 24: "utf8 view",
        25: "list view", 26: "large list view",
    ]

    /// A readable name, for messages.
    var name: String {
        switch self {
        case .int(let bits, let signed): "\(signed ? "int" : "uint")\(bits)"
        case .utf8: "utf8"
        case .largeUtf8: "large utf8"
        case .utf8View: "utf8 view"
        case .other(_, let name): name
        }
    }

    /// Whether the values are strings Tally reads as names.
    var isString: Bool { self == .utf8 || self == .largeUtf8 || self == .utf8View }
}

/// One field (column) of an Arrow schema, with its children.
struct ArrowField {
    /// The column's name.
    let name: String
    /// Its type; for a dictionary-encoded column, the type of the dictionary's values.
    let type: ArrowType
    /// Dictionary encoding: the dictionary's id and the integer type of the indices.
    let dictionary: (id: Int64, index: ArrowType)?
    /// Nested fields (lists, structs, …).
    let children: [ArrowField]
    /// Union mode for a union type (0 sparse, 1 dense).
    let unionMode: Int16

    init(name: String, type: ArrowType, dictionary: (id: Int64, index: ArrowType)? = nil, children: [ArrowField] = [], unionMode: Int16 = 0) {
        self.name = name
        self.type = type
        self.dictionary = dictionary
        self.children = children
        self.unionMode = unionMode
    }

    /// Decodes `Field` from `Schema.fbs`: name 0, nullable 1, type_type 2, type 3, dictionary 4, children 5.
    init(_ t: FlatTable, depth: Int = 0) throws {
        guard depth < 64 else { throw t.buffer.damaged("fields nested more than 64 deep") }
        name = try t.string(0) ?? ""
        let tag: UInt8 = try t.scalar(2, 0)
        let typeTable = try t.table(3)
        var mode: Int16 = 0
        switch tag {
        case 2:
            let bits: Int32 = try typeTable?.scalar(0, 0) ?? 0
            type = .int(bits: Int(bits), signed: try typeTable?.bool(1) ?? false)
        case 5: type = .utf8
        case 20: type = .largeUtf8
        case 24: type = .utf8View
        default:
            if tag == 14 { mode = try typeTable?.scalar(0, 0) ?? 0 }
            type = .other(tag: tag, name: ArrowType.names[tag] ?? "type #\(tag)")
        }
        unionMode = mode
        if let d = try t.table(4) {
            let id: Int64 = try d.scalar(0, 0)
            var index = ArrowType.int(bits: 32, signed: true)
            if let it = try d.table(1) {
                let bits: Int32 = try it.scalar(0, 0)
                index = .int(bits: Int(bits), signed: try it.bool(1))
            }
            dictionary = (id, index)
        } else {
            dictionary = nil
        }
        children = try t.tables(5).map { try ArrowField($0, depth: depth + 1) }
    }

    /// How many buffers this field and its children take in a record batch, in the order of the
    /// columnar format; `views` counts the view columns met (each takes its variadic buffer count
    /// from the batch). `nil` for a type whose layout Tally does not know.
    func bufferCount(variadic: (Int) -> Int, views: inout Int) -> Int? {
        var own: Int
        if dictionary != nil {
            own = 2
        } else {
            switch type {
            case .int: own = 2
            case .utf8, .largeUtf8: own = 3
            case .utf8View:
                own = 2 + variadic(views)
                views += 1
            case .other(let tag, _):
                switch tag {
                case 1: own = 0                               // null
                case 3, 6, 7, 8, 9, 10, 11, 15, 18: own = 2   // fixed-width: validity, values
                case 4, 19: own = 3                           // binary, large binary
                case 23:                                      // binary view
                    own = 2 + variadic(views)
                    views += 1
                case 12, 17, 21: own = 2                      // list, map, large list: validity, offsets
                case 13, 16: own = 1                          // struct, fixed-size list: validity
                case 14: own = unionMode == 1 ? 2 : 1         // union: type ids (+ offsets when dense)
                case 25, 26: own = 3                          // list views: validity, offsets, sizes
                case 22: own = 0                              // run-end encoded: children only
                default: return nil
                }
            }
        }
        for child in children {
            guard let n = child.bufferCount(variadic: variadic, views: &views) else { return nil }
            own += n
        }
        return own
    }

    /// How many field nodes this field and its children take (one each).
    var nodeCount: Int { 1 + children.reduce(0) { $0 + $1.nodeCount } }
}
