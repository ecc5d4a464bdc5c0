import ArgumentParser
import Foundation
import TallyCore

/// `tally convert`: answers in any input format to an Arrow IPC file (Feather v2), or back to TSV.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an answers file to an Arrow IPC file (Feather v2), which every command reads by memory-mapping it.",
        discussion: """
            IN is any answers file Tally reads (crowd-kit TSV/CSV, Toloka's export, JSON Lines, gzip-compressed \
            or not, or an Arrow file). OUT ending in .arrow, .feather or .ipc is written as an Arrow IPC file: task \
            and worker dictionary-encoded (int32 indices, utf8 names), label an int64 column when every label is \
            an integer, else dictionary-encoded; rows grouped by task (tasks in order of first appearance, each task's \
            rows in input order; --row-order input keeps the input's order), in record batches of --rows-per-batch \
            rows. The dictionaries list names in order of first appearance in the input, and the schema metadata \
            (tally.row_order = task-grouped-v1) says so, so every command reads the grouped file without sorting \
            it and writes what it writes from the input. \
            Any other OUT is written as crowd-kit TSV (task, worker, label). The output is written beside its \
            destination and renamed into place. pyarrow, polars, pandas and DuckDB read the .arrow file.

            Example:
              tally convert answers.tsv answers.arrow
              tally aggregate answers.arrow --method ds --out labels.tsv
              python -c "import pyarrow.feather as f; print(f.read_table('answers.arrow'))"
            """
    )

    @Argument(help: "The answers file to read (- for stdin).")
    var input: String

    @Argument(help: "The file to write: .arrow/.feather/.ipc for Arrow, else TSV.")
    var output: String

    @OptionGroup var inputOptions: InputOptions

    @Option(help: ArgumentHelp("Rows per Arrow record batch.", valueName: "N"))
    var rowsPerBatch = 1 << 20

    @Option(help: ArgumentHelp("Row order of an Arrow output: task (grouped by task, the default) or input.", valueName: "order"))
    var rowOrder: RowOrder = .task

    @OptionGroup var common: CommonOptions

    /// The row order of an Arrow output.
    enum RowOrder: String, ExpressibleByArgument, CaseIterable {
        /// Grouped by task (``ArrowWriter/taskGroupedKey``).
        case task
        /// As in the input.
        case input
    }

    mutating func validate() throws {
        if rowsPerBatch < 1 { throw ValidationError("--rows-per-batch must be at least 1") }
    }

    func run() throws {
        try reportingErrors {
            let start = ContinuousClock.now
            let progress = ProgressLine("reading \(input)", quiet: common.quiet)
            var options = inputOptions.readOptions(quiet: common.quiet)
            if progress.enabled { options.progress = { progress.update($0, $1) } }
            let table = try AnswerReader.read(input, options: options).table
            progress.finish()
            note("read \(table.answerCount) answers: \(table.taskCount) tasks, \(table.workerCount) workers, \(table.labelCount) labels (\(seconds(since: start)))", quiet: common.quiet)
            let lower = output.lowercased()
            let written = ContinuousClock.now
            if lower.hasSuffix(".arrow") || lower.hasSuffix(".feather") || lower.hasSuffix(".ipc") {
                try ArrowWriter.write(table, to: output, rowsPerBatch: rowsPerBatch, groupByTask: rowOrder == .task)
            } else {
                try AtomicFile.write(try Self.tsv(table, file: input), to: output)
            }
            note("wrote \(output) (\(seconds(since: written)))", quiet: common.quiet)
        }
    }

    /// crowd-kit TSV of `table`'s answers, in input order.
    static func tsv(_ table: AnswerTable, file: String) throws -> [UInt8] {
        for (field, names) in [("task", table.tasks.names), ("worker", table.workers.names), ("label", table.labels.names)] {
            if let bad = names.first(where: { $0.contains("\t") || $0.contains("\n") || $0.contains("\r") }) {
                throw InputError(.invalidValue, file: file, field: field, "the name \(ErrorText.quoted(bad)) holds a tab or a line break, which TSV cannot carry; write .arrow instead")
            }
        }
        let tasks = table.tasks.names.map { Array($0.utf8) }
        let workers = table.workers.names.map { Array($0.utf8) }
        let labels = table.labels.names.map { Array($0.utf8) }
        var out = Array("task\tworker\tlabel\n".utf8)
        out.reserveCapacity(table.answerCount * 24)
        let (task, worker, label) = (table.task, table.worker, table.label)
        for i in 0..<table.answerCount {
            out += tasks[Int(task[i])]
            out.append(9)
            out += workers[Int(worker[i])]
            out.append(9)
            out += labels[Int(label[i])]
            out.append(10)
        }
        return out
    }
}
