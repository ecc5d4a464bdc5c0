import Foundation
import TallyCore

/// A Jupyter notebook (nbformat 4.5) as a value: markdown and code cells, code cells with outputs.
///
/// Build one, then write it with ``NotebookWriter``. Each report of `tally report` (bench results,
/// a simulation run, a study) builds its own; the outputs they attach (tables, Vega-Lite charts)
/// are shown by Jupyter without running anything.
public struct Notebook: Sendable, Equatable {
    /// The cells, in order.
    public var cells: [Cell]
    /// Notebook metadata; ``python3`` (kernelspec and language_info) by default.
    public var metadata: [String: JSONValue]

    /// A notebook with `cells` and `metadata` (a Python 3 notebook's by default).
    public init(cells: [Cell] = [], metadata: [String: JSONValue] = Notebook.python3) {
        self.cells = cells
        self.metadata = metadata
    }

    /// Kernel and language metadata for a Python 3 notebook (no version numbers: the notebook
    /// was not run by a kernel, and the bytes must not depend on the machine).
    public static let python3: [String: JSONValue] = [
        "kernelspec": ["display_name": "Python 3", "language": "python", "name": "python3"],
        "language_info": [
            "codemirror_mode": ["name": "ipython", "version": 3], "file_extension": ".py",
            "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
            "pygments_lexer": "ipython3",
        ],
    ]

    /// Appends a cell.
    public mutating func append(_ cell: Cell) { cells.append(cell) }

    /// Appends the two cells a report opens with: the title cell (`intro`, then `note` when there
    /// is one) and the "how this was made" cell.
    mutating func appendOpening(_ intro: String, note: String?, provenance: String) {
        append(.markdown(note.map { intro + "\n" + $0 + "\n" } ?? intro, id: "title"))
        append(.markdown(provenance, id: "provenance"))
    }

    /// One cell.
    public struct Cell: Sendable, Equatable {
        /// The cell type (`cell_type`).
        public enum Kind: String, Sendable, Equatable {
            /// Markdown text, Python code, or raw text passed through unrendered.
            case markdown, code, raw
        }

        /// The cell type.
        public var kind: Kind
        /// The cell's text (Markdown, Python, or raw text).
        public var source: String
        /// Outputs of a code cell, in order (ignored for other kinds).
        public var outputs: [Output]
        /// The `In [n]` number of a code cell; `nil` for a cell not run.
        public var executionCount: Int?
        /// A stable id (letters, digits, `-`, `_`; at most 64); ``NotebookWriter`` numbers cells
        /// without one as `cell-1`, `cell-2`, … and keeps ids unique.
        public var id: String?
        /// The cell's metadata (empty by default).
        public var metadata: [String: JSONValue]

        /// A cell; ``markdown(_:id:)`` and ``code(_:outputs:executionCount:id:)`` are shorter.
        public init(
            kind: Kind, source: String, outputs: [Output] = [], executionCount: Int? = nil, id: String? = nil,
            metadata: [String: JSONValue] = [:]
        ) {
            self.kind = kind
            self.source = source
            self.outputs = outputs
            self.executionCount = executionCount
            self.id = id
            self.metadata = metadata
        }

        /// A Markdown cell.
        public static func markdown(_ source: String, id: String? = nil) -> Cell {
            Cell(kind: .markdown, source: source, id: id)
        }

        /// A code cell; give `executionCount` when it has outputs as if it had been run.
        public static func code(_ source: String, outputs: [Output] = [], executionCount: Int? = nil, id: String? = nil) -> Cell {
            Cell(kind: .code, source: source, outputs: outputs, executionCount: executionCount, id: id)
        }
    }

    /// One output of a code cell.
    public enum Output: Sendable, Equatable {
        /// A rich display (`display(...)`): one representation per MIME type.
        case displayData(MimeBundle)
        /// The value of the cell's last expression, shown as `Out[n]`.
        case executeResult(MimeBundle, executionCount: Int)
        /// Text printed to `stdout` or `stderr`.
        case stream(name: String, text: String)

        /// A Vega-Lite v5 chart, with a text fallback for front ends that cannot draw it.
        public static func vegaLite(_ spec: VegaLite, fallback: String? = nil) -> Output {
            let text = fallback ?? "<Vega-Lite chart: \(spec.title?.text ?? "untitled"); open in JupyterLab or VS Code to see it>"
            return .displayData(MimeBundle([VegaLite.mimeType: spec.json, "text/plain": .string(text)]))
        }
    }

    /// Representations of one output by MIME type: text types (`text/plain`, `text/html`,
    /// `text/markdown`, …) as strings, JSON types (`application/json`, `…+json`) as JSON values.
    public struct MimeBundle: Sendable, Equatable {
        /// The representations, keyed by MIME type.
        public var data: [String: JSONValue]
        /// A bundle of `data`.
        public init(_ data: [String: JSONValue]) { self.data = data }

        /// Plain text with an HTML rendering (e.g. a table).
        public static func table(plain: String, html: String) -> MimeBundle {
            MimeBundle(["text/plain": .string(plain), "text/html": .string(html)])
        }
    }
}
