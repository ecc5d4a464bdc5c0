import Foundation
import TallyCore

/// A value to filter and sort on.
enum SortKey: Comparable {
    case number(Double)
    case string(String)

    static func < (a: SortKey, b: SortKey) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): x < y
        case (.string(let x), .string(let y)): x < y
        case (.number, .string): true
        case (.string, .number): false
        }
    }
}

/// List endpoints' filtering, sorting and paging, as Toloka's: range filters `<field>_gt|_gte|_lt|_lte`,
/// `sort=a,-b`, `limit`, and `{"items": […], "has_more": bool}`.
enum Listing {
    /// How a field's range bounds are read: a number or date-time, free text, an object id
    /// (`<10 hex digits>--<24 hex digits>`: tasks, suites, assignments) or a UUID (operations).
    /// A bound that is not of its field's kind is a 400 `VALIDATION_ERROR`, as on every list.
    enum FieldKind { case number, string, objectID, uuid }

    /// Whether `s` has the form of a task, task-suite or assignment id: 10 hex digits, `--`, 24 hex digits.
    static func isObjectID(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard u.count == 36, u[10] == UInt8(ascii: "-"), u[11] == UInt8(ascii: "-") else { return false }
        return u.enumerated().allSatisfy { i, c in
            i == 10 || i == 11 || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f"))
        }
    }

    struct Page<T> {
        var items: [T]
        var hasMore: Bool

        func json(_ render: (T) -> JSONValue) -> JSONValue {
            ["items": .array(items.map(render)), "has_more": .bool(hasMore)]
        }
    }

    /// Filters `items` by the range parameters in `query`, sorts them (default: the given order) and cuts a page.
    ///
    /// `fields` names the fields that can be ranged and sorted on; `key(item, field)` gives a field's
    /// value, nil when unset (the item then fails every range on it, and sorts first). Range values on
    /// number fields are read as numbers or Toloka date-times, on id fields checked for the id's
    /// form; a value that does not fit is a validation error. Range parameters on other fields are
    /// ignored; an unknown sort field is a validation error.
    ///
    /// `idOrdered`: the items come in ascending id order already (tasks and assignments are kept in
    /// creation order, which is id order), so `sort=id` costs nothing.
    static func page<T>(_ items: [T], query: [String: String], fields: [String: FieldKind], defaultLimit: Int, maxLimit: Int,
                        idOrdered: Bool = false, key: (T, String) -> SortKey?) throws -> Page<T> {
        var filtered = items
        var errors: [String: FieldError] = [:]
        for (name, raw) in query.sorted(by: { $0.key < $1.key }) {
            let ops: [(String, (SortKey, SortKey) -> Bool)] = [("_gte", { $0 >= $1 }), ("_lte", { $0 <= $1 }), ("_gt", { $0 > $1 }), ("_lt", { $0 < $1 })]
            guard let (suffix, op) = ops.first(where: { name.hasSuffix($0.0) }) else { continue }
            let field = String(name.dropLast(suffix.count))
            guard let kind = fields[field] else { continue }  // not a range field of this resource
            let bound: SortKey
            switch kind {
            case .number:
                if let d = Double(raw) { bound = .number(d) } else if let t = TolokaTime.parse(raw, accepting: [.dateOnly, .iso8601]) { bound = .number(t) } else {
                    errors[name] = FieldError("FLOAT_EXPECTED", "Expected a number or a date-time"); continue
                }
            case .string: bound = .string(raw)
            case .objectID:
                guard isObjectID(raw) else {
                    errors[name] = FieldError("INVALID_VALUE", "Expected an id of 10 hex digits, '--' and 24 hex digits (as 0000000001--5f1a2b3c4d5e6f7a8b9c0d1e)"); continue
                }
                bound = .string(raw)
            case .uuid:
                guard UUID(uuidString: raw) != nil else { errors[name] = FieldError("UUID_EXPECTED", "Expected a UUID"); continue }
                bound = .string(raw)
            }
            filtered = filtered.filter { item in key(item, field).map { op($0, bound) } ?? false }
        }
        var limit = defaultLimit
        if let raw = query["limit"] {
            if let l = Int(raw) {
                if l < 1 { errors["limit"] = .min(1) } else if l > maxLimit { errors["limit"] = .max(Double(maxLimit)) } else { limit = l }
            } else {
                errors["limit"] = .integer
            }
        }
        if let sort = query["sort"], !sort.isEmpty {
            var sortFields: [(String, Bool)] = []
            for part in sort.split(separator: ",") {
                let desc = part.hasPrefix("-")
                let f = String(desc ? part.dropFirst() : part).trimmingCharacters(in: .whitespaces)
                sortFields.append((f, desc))
            }
            if let bad = sortFields.first(where: { fields[$0.0] == nil }) {
                errors["sort"] = FieldError("VALUE_NOT_ALLOWED", "Unknown sort field \(bad.0)")
            } else if idOrdered, sortFields.count == 1, sortFields[0] == ("id", false) {
                // already in order
            } else {
                let decorated = filtered.enumerated().map { (i, item) in (i, item, sortFields.map { key(item, $0.0) }) }
                filtered = decorated.sorted { a, b in
                    for (k, f) in sortFields.enumerated() {
                        let x = a.2[k], y = b.2[k]
                        if x == y { continue }
                        guard let x else { return !f.1 }
                        guard let y else { return f.1 }
                        return f.1 ? x > y : x < y
                    }
                    return a.0 < b.0
                }.map(\.1)
            }
        }
        guard errors.isEmpty else { throw APIError.validation(errors) }
        return Page(items: Array(filtered.prefix(limit)), hasMore: filtered.count > limit)
    }
}
