import Foundation

extension Notebook.Cell {
    /// A code cell showing a Vega-Lite chart: its output is the spec (`display_data`, with a
    /// `text/plain` fallback), so Jupyter draws it without running anything.
    ///
    /// - Parameter embedSource: also put the spec in the cell's Python source (a `display` call),
    ///   so the chart comes back after outputs are cleared and the notebook re-run; this doubles
    ///   the spec's bytes. Without it the source is a comment naming the chart.
    public static func vegaLite(_ spec: VegaLite, id: String? = nil, executionCount: Int? = nil, embedSource: Bool = true) -> Notebook.Cell {
        let name = spec.title?.text ?? "chart"
        let source: String
        if embedSource {
            // Compact JSON never holds three quotes in a row, so a raw triple-quoted string holds it.
            source = """
                # \(name) (Vega-Lite v5 spec made by Tally; JupyterLab and VS Code draw it)
                import json
                from IPython.display import display

                spec = json.loads(r\"\"\"\(spec.json.serialized())\"\"\")
                display({"\(VegaLite.mimeType)": spec}, raw=True)
                """
        } else {
            source = "# \(name): a Vega-Lite v5 chart made by Tally, shown below as this cell's output"
        }
        return .code(source, outputs: [.vegaLite(spec)], executionCount: executionCount, id: id)
    }
}
