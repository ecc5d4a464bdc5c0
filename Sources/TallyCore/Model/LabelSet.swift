/// The labels of a data set, in the one order the whole toolkit uses.
///
/// If every label is an integer written canonically (an optional `-`, digits, no leading zeros,
/// within `Int64`), labels are in numeric order; otherwise they are in the order of their Unicode
/// scalars (which is the order of their UTF-8 bytes, and Python's `str` order). Every argmax in
/// Tally breaks ties towards the label that comes first in this order, which is what crowd-kit
/// does under pandas 2.x (its probability columns are sorted and `idxmax` takes the first).
public struct LabelSet: Sendable, Equatable, RandomAccessCollection {
    /// The labels, in order; a label's position is its id.
    public let names: [String]
    /// Whether every label is a canonical integer, so that the order is numeric.
    public let isNumeric: Bool
    /// Names → positions (interned in order, so an id is the position).
    private let index: Interner

    /// Equal when the labels and their order are equal.
    public static func == (a: LabelSet, b: LabelSet) -> Bool { a.names == b.names && a.isNumeric == b.isNumeric }

    /// Puts `labels` (in any order, duplicates allowed) in the toolkit's order.
    public init<S: Sequence>(_ labels: S) where S.Element == String {
        // Deduplicate byte for byte (a Swift `Set<String>` would merge Unicode-equivalent names).
        var unique = Interner(labels).names
        let numbers = unique.map(LabelSet.canonicalInteger)
        if !unique.isEmpty, numbers.allSatisfy({ $0 != nil }) {
            unique.sort { LabelSet.canonicalInteger($0)! < LabelSet.canonicalInteger($1)! }
            isNumeric = true
        } else {
            unique.sort(by: LabelSet.scalarOrder)
            isNumeric = false
        }
        names = unique
        index = Interner(unique)
    }

    /// The position of `label`, or `nil` when the set does not hold it.
    public func index(of label: String) -> Int? {
        // Byte-compared, so Unicode-equivalent spellings stay apart, as in the readers.
        index.lookup(label).map(Int.init)
    }

    /// The first label id, 0.
    public var startIndex: Int { 0 }
    /// One past the last label id (the number of labels).
    public var endIndex: Int { names.count }
    /// The label with id `position`.
    public subscript(position: Int) -> String { names[position] }

    /// The integer `s` spells, when it is spelled canonically: `-?(0|[1-9][0-9]*)` within Int64
    /// (and not `-0`). When every label passes, labels are ordered as numbers.
    package static func canonicalInteger(_ s: String) -> Int64? {
        let u = Array(s.utf8)
        guard !u.isEmpty else { return nil }
        var i = 0
        if u[0] == UInt8(ascii: "-") { i = 1 }
        guard i < u.count else { return nil }
        for c in u[i...] where c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return nil }
        if u[i] == UInt8(ascii: "0") && u.count - i > 1 { return nil }
        if i == 1 && u.count == 2 && u[1] == UInt8(ascii: "0") { return nil }
        return Int64(s)
    }

    /// Order by Unicode scalar values (UTF-8 byte order), not by Swift's `String` `<`.
    package static func scalarOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
