/// The labels of a data set, in the one order the whole toolkit uses.
///
/// If every label is an integer written canonically (an optional `-`, digits, no leading zeros;
/// of any length, so one label beyond `Int64` does not change the order of the others), labels
/// are in numeric order; otherwise they are in the order of their Unicode
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
        if !unique.isEmpty, unique.allSatisfy(LabelSet.isCanonicalInteger) {
            unique.sort(by: LabelSet.numericOrder)
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

    /// The integer `s` spells, when it is spelled canonically (``isCanonicalInteger(_:)``) and
    /// fits in Int64.
    package static func canonicalInteger(_ s: String) -> Int64? {
        isCanonicalInteger(s) ? Int64(s) : nil
    }

    /// Whether `s` spells an integer canonically: `-?(0|[1-9][0-9]*)`, not `-0`, of any length.
    /// When every label passes, labels are ordered as numbers (``numericOrder(_:_:)``).
    package static func isCanonicalInteger(_ s: String) -> Bool {
        let u = s.utf8
        guard let first = u.first else { return false }
        let negative = first == UInt8(ascii: "-")
        let digits = negative ? u.dropFirst() : u[...]
        guard let lead = digits.first else { return false }
        for c in digits where c < UInt8(ascii: "0") || c > UInt8(ascii: "9") { return false }
        if lead == UInt8(ascii: "0") && (digits.count > 1 || negative) { return false }
        return true
    }

    /// Numeric order of two canonical integers (``isCanonicalInteger(_:)``) of any length: by
    /// sign, then by digit count, then digit by digit (reversed for negatives).
    package static func numericOrder(_ a: String, _ b: String) -> Bool {
        let an = a.utf8.first == UInt8(ascii: "-"), bn = b.utf8.first == UInt8(ascii: "-")
        if an != bn { return an }
        let ad = an ? a.utf8.dropFirst() : a.utf8[...], bd = bn ? b.utf8.dropFirst() : b.utf8[...]
        let magnitudeLess = ad.count != bd.count ? ad.count < bd.count : ad.lexicographicallyPrecedes(bd)
        if an {
            let equal = ad.count == bd.count && ad.elementsEqual(bd)
            return !magnitudeLess && !equal
        }
        return magnitudeLess
    }

    /// Order by Unicode scalar values (UTF-8 byte order), not by Swift's `String` `<`.
    package static func scalarOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
