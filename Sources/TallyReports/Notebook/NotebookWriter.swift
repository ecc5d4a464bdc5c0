import Foundation
import TallyCore

/// Writes a ``Notebook`` as an `.ipynb` file (nbformat 4.5), deterministically.
///
/// The layout is Jupyter's own: one-space indent, sorted keys, sources and text outputs as lists
/// of lines, a final newline; so a notebook saved unchanged by Jupyter diffs clean, and the same
/// notebook value always gives the same bytes.
public enum NotebookWriter {
    /// The nbformat major version written (4).
    public static let nbformat = 4
    /// The nbformat minor version written (5).
    public static let nbformatMinor = 5

    /// The notebook as a JSON value.
    public static func json(_ notebook: Notebook) -> JSONValue {
        let ids = cellIDs(notebook.cells)
        let cells: [JSONValue] = zip(notebook.cells, ids).map { cell, id in
            var o: [String: JSONValue] = [
                "cell_type": .string(cell.kind.rawValue),
                "id": .string(id),
                "metadata": .object(cell.metadata),
                "source": lines(cell.source),
            ]
            if cell.kind == .code {
                o["execution_count"] = cell.executionCount.map { .number(Double($0)) } ?? .null
                o["outputs"] = .array(cell.outputs.map(output))
            }
            return .object(o)
        }
        return [
            "cells": .array(cells),
            "metadata": .object(notebook.metadata),
            "nbformat": .number(Double(nbformat)),
            "nbformat_minor": .number(Double(nbformatMinor)),
        ]
    }

    /// The `.ipynb` text.
    public static func text(_ notebook: Notebook) -> String {
        json(notebook).serialized(indent: 1) + "\n"
    }

    /// Writes the notebook to `path` atomically (a failure leaves any file there as it was).
    public static func write(_ notebook: Notebook, to path: String) throws {
        try AtomicFile.write(Array(text(notebook).utf8), to: path)
    }

    /// Ids for the cells: each cell's own id made valid (nbformat: `^[a-zA-Z0-9-_]+$`, 1–64
    /// characters), or `cell-<n>` (its one-based position); a repeat gets `-2`, `-3`, … .
    static func cellIDs(_ cells: [Notebook.Cell]) -> [String] {
        var used = Set<String>()
        return cells.enumerated().map { n, cell in
            var base = String((cell.id ?? "cell-\(n + 1)").map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") ? $0 : "-" }.prefix(56))
            if base.isEmpty { base = "cell-\(n + 1)" }
            var id = base, k = 2
            while used.contains(id) {
                id = "\(base)-\(k)"
                k += 1
            }
            used.insert(id)
            return id
        }
    }

    static func output(_ output: Notebook.Output) -> JSONValue {
        switch output {
        case .displayData(let bundle):
            return ["output_type": "display_data", "data": data(bundle), "metadata": [:]]
        case .executeResult(let bundle, let count):
            return ["output_type": "execute_result", "data": data(bundle), "metadata": [:], "execution_count": .number(Double(count))]
        case .stream(let name, let text):
            return ["output_type": "stream", "name": .string(name), "text": lines(text)]
        }
    }

    /// A MIME bundle: JSON types stay JSON values, text is split into lines as Jupyter writes it.
    static func data(_ bundle: Notebook.MimeBundle) -> JSONValue {
        .object(bundle.data.reduce(into: [:]) { out, entry in
            let (mime, value) = entry
            let isJSON = mime == "application/json" || mime.hasSuffix("+json")
            if !isJSON, case .string(let s) = value {
                out[mime] = lines(s)
            } else {
                out[mime] = value
            }
        })
    }

    /// Text as Jupyter stores it: a list of lines, each but the last ending in a newline.
    static func lines(_ text: String) -> JSONValue {
        var out: [JSONValue] = []
        var current = ""
        for c in text.unicodeScalars {
            current.unicodeScalars.append(c)
            if c == "\n" {
                out.append(.string(current))
                current = ""
            }
        }
        if !current.isEmpty { out.append(.string(current)) }
        return .array(out)
    }
}
