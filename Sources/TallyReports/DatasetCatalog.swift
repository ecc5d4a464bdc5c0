import Foundation
import TallyCore

/// The data sets of a folder such as the repository's `datasets/real`: their counts, read from
/// the files, and where each came from, read from the folder's `catalog.tsv`.
///
/// A data set is a sub-folder that ``Bench`` would run (`answers.tsv` + `gold.tsv`, each possibly
/// gzip-compressed). `catalog.tsv` (optional; columns `name`, `included`, `licence`, `source`,
/// `citation`, `title`) adds the provenance, and its rows with `included` = `no` are the sets
/// left out of the folder (``leftOut``), with the reason.
///
///     let catalog = try DatasetCatalog.load(directory: "datasets/real")
///     for d in catalog.datasets { print(d.name, d.tasks, d.answers, d.licence ?? "?") }
public struct DatasetCatalog: Sendable {
    /// One data set present in the folder.
    public struct Dataset: Sendable {
        /// The folder's name, e.g. `vldb-adult`.
        public let name: String
        /// A one-line description from the catalog, when it has one.
        public let title: String?
        /// Distinct tasks with at least one answer.
        public let tasks: Int
        /// Distinct workers.
        public let workers: Int
        /// Answer rows.
        public let answers: Int
        /// Distinct labels in the answers.
        public let labels: Int
        /// Tasks with a gold label.
        public let goldTasks: Int
        /// The licence under which the folder holds the data, from the catalog.
        public let licence: String?
        /// Where the files were copied from (repository and commit), from the catalog.
        public let source: String?
        /// The works to cite, from the catalog.
        public let citation: String?
    }

    /// A data set the catalog lists but the folder does not hold.
    public struct LeftOut: Sendable {
        /// The data set's name.
        public let name: String
        /// Why it is not in the folder (the catalog's licence column).
        public let reason: String
        /// Where it can be found, from the catalog.
        public let source: String?
    }

    /// The folder read.
    public let directory: String
    /// The data sets in the folder, sorted by name.
    public let datasets: [Dataset]
    /// The sets the catalog lists as not included, sorted by name.
    public let leftOut: [LeftOut]

    /// Reads every data set under `directory` and its `catalog.tsv` when there is one.
    ///
    /// - Throws: ``InputError`` for a folder that cannot be listed, a data set file that cannot
    ///   be read, or a malformed catalog (naming the file, line and field).
    public static func load(directory: String) throws -> DatasetCatalog {
        let names: [String]
        do { names = try Bench.datasets(in: directory) } catch {
            throw InputError(FileManager.default.fileExists(atPath: directory) ? .unreadable : .fileNotFound,
                             file: directory, "cannot list the data set folder: expected a folder of data sets such as datasets/real")
        }
        let catalogPath = directory + "/catalog.tsv"
        var rows: [String: [String: String]] = [:]
        var order: [String] = []
        if FileManager.default.fileExists(atPath: catalogPath) {
            let table = try TableReader.read(catalogPath, required: ["name", "included"], expecting: "name, included, licence, source, citation")
            for (n, r) in table.rows.enumerated() {
                let row = Dictionary(uniqueKeysWithValues: zip(table.header, r))
                let name = row["name"] ?? ""
                guard !name.isEmpty else {
                    throw InputError(.emptyField, file: table.file, line: table.lines[n], field: "name", "empty value; expected a data set's folder name")
                }
                guard row["included"] == "yes" || row["included"] == "no" else {
                    throw InputError(.invalidValue, file: table.file, line: table.lines[n], field: "included", "expected yes or no")
                }
                rows[name] = row
                order.append(name)
            }
        }
        func text(_ row: [String: String]?, _ key: String) -> String? { row?[key].flatMap { $0.isEmpty ? nil : $0 } }
        var datasets: [Dataset] = []
        for name in names {
            let folder = directory + "/" + name
            let answersName = Bench.existing(folder, "crowd_labels.csv") != nil ? "crowd_labels.csv" : "answers.tsv"
            let goldName = answersName == "crowd_labels.csv" ? "gt.csv" : "gold.tsv"
            let table = try AnswerReader.read(Bench.existing(folder, answersName) ?? folder + "/" + answersName).table
            let gold = try Bench.existing(folder, goldName).map { try GoldReader.read($0) }
            let row = rows[name]
            datasets.append(Dataset(name: name, title: text(row, "title"), tasks: table.taskCount, workers: table.workerCount,
                                    answers: table.answerCount, labels: table.labelCount, goldTasks: gold?.count ?? 0,
                                    licence: text(row, "licence"), source: text(row, "source"), citation: text(row, "citation")))
        }
        let present = Set(names)
        let leftOut = order.filter { rows[$0]?["included"] == "no" && !present.contains($0) }.sorted().map {
            LeftOut(name: $0, reason: "licence: " + (text(rows[$0], "licence") ?? "not stated"), source: text(rows[$0], "source"))
        }
        return DatasetCatalog(directory: directory, datasets: datasets, leftOut: leftOut)
    }
}
