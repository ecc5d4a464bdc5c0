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
    /// The chart's title.
    public var title: Title?
    /// A description of the chart, for accessibility and tooltips.
    public var description: String?
    /// A number of pixels, `"container"`, or `{"step": n}` for a discrete axis.
    public var width: JSONValue?
    /// As ``width``, for the height.
    public var height: JSONValue?
    /// The data, inline.
    public var data: DataSource?
    /// Transforms such as `{"filter": "datum.best"}`, applied in order before encoding.
    public var transform: [JSONValue]?
    /// What is drawn for each row.
    public var mark: Mark?
    /// Which fields drive which channels.
    public var encoding: Encoding?
    /// Layers drawn over each other; they inherit this spec's data and encoding.
    public var layer: [VegaLite]?
    /// Default styles (`config`), as Vega-Lite JSON.
    public var config: JSONValue?

    enum CodingKeys: String, CodingKey {
        case schema = "$schema"
        case title, description, width, height, data, transform, mark, encoding, layer, config
    }

    /// A spec from its properties; those left `nil` are not written.
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
        /// The title.
        public var text: String
        /// A line under the title.
        public var subtitle: String?
        /// A title `text`, with `subtitle` under it when given.
        public init(_ text: String, subtitle: String? = nil) {
            self.text = text
            self.subtitle = subtitle
        }
    }

    /// Inline data: one JSON object per row.
    public struct DataSource: Codable, Sendable, Equatable {
        /// One JSON object per row.
        public var values: [JSONValue]
        /// Inline data of `values`.
        public init(values: [JSONValue]) { self.values = values }
    }

    /// A mark (`point`, `line`, `bar`, `tick`, …) and its fixed visual properties.
    public struct Mark: Codable, Sendable, Equatable {
        /// The mark type: `point`, `line`, `bar`, `tick`, `rule`, ….
        public var type: String
        /// Whether a point mark is filled.
        public var filled: Bool?
        /// A point's area in square pixels.
        public var size: Double?
        /// A point's shape: `circle`, `square`, `diamond`, ….
        public var shape: String?
        /// A fixed colour (CSS), overriding a colour encoding.
        public var color: String?
        /// Opacity, 0–1.
        public var opacity: Double?
        /// Line width in pixels.
        public var strokeWidth: Double?
        /// For a line: also draw a point at each vertex.
        public var point: Bool?
        /// `true` to show every encoded field on hover when there is no tooltip encoding.
        public var tooltip: Bool?

        /// A mark of `type` with the given fixed properties.
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
        /// The horizontal position.
        public var x: FieldDef?
        /// The vertical position.
        public var y: FieldDef?
        /// The colour.
        public var color: FieldDef?
        /// A point's shape.
        public var shape: FieldDef?
        /// A point's size.
        public var size: FieldDef?
        /// The opacity.
        public var opacity: FieldDef?
        /// Groups rows (e.g. into lines) without a visual channel.
        public var detail: FieldDef?
        /// The order in which a line joins its points.
        public var order: FieldDef?
        /// The fields shown on hover.
        public var tooltip: [FieldDef]?

        /// An encoding of the given channels.
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
        /// The data field (escape `.` and brackets in its name).
        public var field: String?
        /// `quantitative`, `nominal`, `ordinal` or `temporal`.
        public var type: String?
        /// The axis or legend title; the field name when `nil`.
        public var title: String?
        /// A d3 number format for axis labels and tooltips, e.g. `.3f`.
        public var format: String?
        /// How values map to the channel's range.
        public var scale: Scale?
        /// An axis object, or `null` for no axis.
        public var axis: JSONValue?
        /// A legend object, or `null` for no legend.
        public var legend: JSONValue?
        /// `"ascending"`, `"descending"`, an explicit order, or `null` for data order.
        public var sort: JSONValue?
        /// A constant for the channel, in place of a field.
        public var value: JSONValue?

        /// A channel definition from its properties; the static helpers are shorter.
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
        /// Whether the domain is extended to round numbers.
        public var nice: Bool?
        /// The domain, when it must be fixed.
        public var domain: [JSONValue]?
        /// A colour scheme name, e.g. `viridis`.
        public var scheme: String?

        /// A scale from its properties.
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
    static func filter(_ expression: String) -> JSONValue {
        ["filter": .string(expression)]
    }

    /// A top-level spec (with `$schema`) with `values` inline, one row per value of its discrete
    /// y axis: `width` pixels wide, `step` pixels per row.
    static func rowChart(
        _ title: Title, description: String, width: Int64, step: Int64, values: [JSONValue],
        transform: [JSONValue]? = nil, mark: Mark? = nil, encoding: Encoding, layer: [VegaLite]? = nil
    ) -> VegaLite {
        VegaLite(
            schema: schemaURL, title: title, description: description, width: .int(width), height: ["step": .int(step)],
            data: .init(values: values), transform: transform, mark: mark, encoding: encoding, layer: layer)
    }

    /// A field name as Vega-Lite reads it: `.` and brackets would otherwise address nested data.
    static func escapeField(_ name: String) -> String {
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
