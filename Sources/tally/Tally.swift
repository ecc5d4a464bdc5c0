import ArgumentParser

@main
struct Tally: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tally",
        abstract: "Turn noisy crowd answers into final labels, and measure how good they are.",
        discussion: """
            Tally reads crowd-kit style answer files (task, worker, label as TSV or CSV), Toloka's \
            TSV export and JSON Lines, aggregates them, and scores the result against gold labels.

            Example:
              tally aggregate datasets/toy/answers.tsv --method wawa --out labels.tsv
              tally methods
              tally evaluate labels.tsv --gold datasets/toy/gold.tsv
            """,
        version: "0.1.0",
        subcommands: [Aggregate.self, MethodsCommand.self, ConvertCommand.self, SynthCommand.self, DatasetsCommand.self, Evaluate.self, BenchCommand.self, ReportCommand.self, SimulateCommand.self, QCCommand.self, StudyCommand.self, EmulatorCommand.self, TolokaCommand.self]
    )
}
