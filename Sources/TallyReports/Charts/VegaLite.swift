import Foundation
import TallyCore

/// A Vega-Lite v5 chart specification: the subset of the grammar Tally's charts use.
///
/// Jupyter (`application/vnd.vegalite.v5+json`) and browsers (vega-embed) render a spec without
/// any plotting code on our side; the spec is data, built in Swift and written as JSON with its
/// data inline (`data.values`), so a notebook holding it is self-contained. Properties left `nil`
/// are not written. See https://vega.github.io/vega-lite/docs/.
public struct VegaLite: Codable, Sendable, Equatable {
    /// The schema a top-level v5 spec names in `$schema`.
    public static let schemaURL = "https://vega.github.io/schema/vega-lite/v5.json"
    /// The MIME type Jupyter renders a v5 spec for.
    public static let mimeType = "application/vnd.vegalite.v5+json"

    /// `$schema`; set on a top-level spec, `nil` on a layer.
    public var schema: String?
    public var title: Title?
    public var description: String?
    /// A number of pixels, `"container"`, or `{"step": n}` for a discrete axis.
    public var width: JSONValue?
    public var height: JSONValue?
    public var data: DataSource?
    /// Transforms such as ``filter(_:)``, applied in order before encoding.
    public var transform: [JSONValue]?
    public var mark: Mark?
    public var encoding: Encoding?
    /// Layers drawn over each other; they inherit this spec's data and encoding.
    public var layer: [VegaLite]?
    public var config: JSONValue?

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case title, description, width, height, data, transform, mark, encoding, layer, config
    }

    public init(
        schema: String? = nil, title: Title? = nil, description: String? = nil, width: JSONValue? = nil,
        height: JSONValue? = nil, data: DataSource? = nil, transform: [JSONValue]? = nil, mark: Mark? = nil,
        encoding: Encoding? = nil, layer: [VegaLite]? = nil, config: JSONValue? = nil
    ) {
        self.schema = schema
        self.title = title
        self.description = description
        self.width = width
        self.height = height
        self.data = data
        self.transform = transform
        self.mark = mark
        self.encoding = encoding
        self.layer = layer
        self.config = config
    }

    /// A chart's title and an optional subtitle under it.
    public struct Title: Codable, Sendable, Equatable {
        public var text: String
        public var subtitle: String?
        public init(_ text: String, subtitle: String? = nil) {
            self.text = text
            self.subtitle = subtitle
        }
    }

    /// Inline data: one JSON object per row.
    public struct DataSource: Codable, Sendable, Equatable {
        public var values: [JSONValue]
        public init(values: [JSONValue]) { self.values = values }
    }

    /// A mark (`point`, `line`, `bar`, `tick`, …) and its fixed visual properties.
    public struct Mark: Codable, Sendable, Equatable {
        public var type: String
        public var filled: Bool?
        public var size: Double?
        public var shape: String?
        public var color: String?
        public var opacity: Double?
        public var strokeWidth: Double?
        /// For a line: also draw a point at each vertex.
        public var point: Bool?
        /// `true` to show every encoded field on hover when there is no tooltip encoding.
        public var tooltip: Bool?

        public init(
            _ type: String, filled: Bool? = nil, size: Double? = nil, shape: String? = nil, color: String? = nil,
            opacity: Double? = nil, strokeWidth: Double? = nil, point: Bool? = nil, tooltip: Bool? = nil
        ) {
            self.type = type
            self.filled = filled
            self.size = size
            self.shape = shape
            self.color = color
            self.opacity = opacity
            self.strokeWidth = strokeWidth
            self.point = point
            self.tooltip = tooltip
        }
    }

    /// Which data fields drive which visual channels.
    public struct Encoding: Codable, Sendable, Equatable {
        public var x: FieldDef?
        public var y: FieldDef?
        public var color: FieldDef?
        public var shape: FieldDef?
        public var size: FieldDef?
        public var opacity: FieldDef?
        public var detail: FieldDef?
        public var order: FieldDef?
        public var tooltip: [FieldDef]?

        public init(
            x: FieldDef? = nil, y: FieldDef? = nil, color: FieldDef? = nil, shape: FieldDef? = nil, size: FieldDef? = nil,
            opacity: FieldDef? = nil, detail: FieldDef? = nil, order: FieldDef? = nil, tooltip: [FieldDef]? = nil
        ) {
            self.x = x
            self.y = y
            self.color = color
            self.shape = shape
            self.size = size
            self.opacity = opacity
            self.detail = detail
            self.order = order
            self.tooltip = tooltip
        }
    }

    /// One channel: a field and its measurement type, or a constant `value`.
    public struct FieldDef: Codable, Sendable, Equatable {
        public var field: String?
        /// `quantitative`, `nominal`, `ordinal` or `temporal`.
        public var type: String?
        public var title: String?
        public var format: String?
        public var scale: Scale?
        /// An axis object, or `null` for no axis.
        public var axis: JSONValue?
        /// A legend object, or `null` for no legend.
        public var legend: JSONValue?
        /// `"ascending"`, `"descending"`, an explicit order, or `null` for data order.
        public var sort: JSONValue?
        public var value: JSONValue?

        public init(
            field: String? = nil, type: String? = nil, title: String? = nil, format: String? = nil, scale: Scale? = nil,
            axis: JSONValue? = nil, legend: JSONValue? = nil, sort: JSONValue? = nil, value: JSONValue? = nil
        ) {
            self.field = field
            self.type = type
            self.title = title
            self.format = format
            self.scale = scale
            self.axis = axis
            self.legend = legend
            self.sort = sort
            self.value = value
        }

        /// A quantitative field.
        public static func quantitative(_ field: String, title: String? = nil, format: String? = nil, scale: Scale? = nil) -> FieldDef {
            FieldDef(field: VegaLite.escapeField(field), type: "quantitative", title: title, format: format, scale: scale)
        }

        /// A nominal (unordered categorical) field.
        public static func nominal(_ field: String, title: String? = nil, sort: JSONValue? = nil) -> FieldDef {
            FieldDef(field: VegaLite.escapeField(field), type: "nominal", title: title, sort: sort)
        }

        /// An ordinal (ordered categorical) field.
        public static func ordinal(_ field: String, title: String? = nil, sort: JSONValue? = nil) -> FieldDef {
            FieldDef(field: VegaLite.escapeField(field), type: "ordinal", title: title, sort: sort)
        }
    }

    /// How data values map to a channel's range.
    public struct Scale: Codable, Sendable, Equatable {
        /// `linear` (the default for numbers), `log`, `sqrt`, …
        public var type: String?
        /// Whether the domain must include zero.
        public var zero: Bool?
        public var nice: Bool?
        public var domain: [JSONValue]?
        public var scheme: String?

        public init(type: String? = nil, zero: Bool? = nil, nice: Bool? = nil, domain: [JSONValue]? = nil, scheme: String? = nil) {
            self.type = type
            self.zero = zero
            self.nice = nice
            self.domain = domain
            self.scheme = scheme
        }

        /// A logarithmic scale (base 10).
        public static let log = Scale(type: "log")
    }

    /// A filter transform keeping rows for which the Vega expression is true, e.g. `datum.best`.
    public static func filter(_ expression: String) -> JSONValue {
        ["filter": .string(expression)]
    }

    /// A field name as Vega-Lite reads it: `.` and brackets would otherwise address nested data.
    public static func escapeField(_ name: String) -> String {
        var out = ""
        for c in name {
            if c == "." || c == "[" || c == "]" || c == "\\" { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// The spec as a JSON value.
    public var json: JSONValue {
        // Encoding plain structs of strings, numbers and optionals cannot fail.
        (try? JSONValue(encoding: self)) ?? .null
    }

    /// The spec as JSON text: sorted keys, stable number formatting, two-space indent (or compact).
    public func serialized(pretty: Bool = true) -> String {
        json.serialized(indent: pretty ? 2 : nil) + (pretty ? "\n" : "")
    }
}
