extension ParameterDescriptor {
    /// `text` read as a value of this parameter's type, the type of its default: an integer, an
    /// unsigned integer, a finite number, a choice (taken as written), or `true`/`false`; nil when
    /// `text` is not one. The one reading of `name=value` items (`tally aggregate --param`,
    /// binary-relevance's `base-parameters`).
    ///
    /// ```swift
    /// let p = try MethodRegistry.method(named: "ds").parameter("max-iterations")!
    /// p.value(parsing: "20")  // .int(20)
    /// p.value(parsing: "2.5") // nil
    /// ```
    public func value(parsing text: String) -> ParameterValue? {
        switch defaultValue {
        case .int: return Int(text).map(ParameterValue.int)
        case .unsigned: return UInt64(text).map(ParameterValue.unsigned)
        case .double: return Double(text).flatMap { $0.isFinite ? ParameterValue.double($0) : nil }
        case .string: return .string(text)
        case .flag: return ["true": true, "false": false][text].map(ParameterValue.flag)
        }
    }
}
