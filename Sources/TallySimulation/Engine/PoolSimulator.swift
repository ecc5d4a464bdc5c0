import Foundation
import TallyCore
import TallyQualityControl

/// A seeded discrete-event simulation of one Toloka pool.
///
///     let scenario = try Scenario.read(path: "datasets/scenarios/audio-gender.json")
///     let result = try PoolSimulator.run(scenario, seed: 7)
///     for file in result.files() { … }   // answers.tsv, export.tsv, …
///
/// The clock counts whole milliseconds from ``SimulationSettings/startEpochSeconds``. Events are
/// processed in time order, ties in the order they were scheduled. What happens (*choice* marks a
/// modelling decision where Toloka's documented behaviour is silent or unverified):
/// * **Arrivals**: a Poisson process of new workers, `arrivals_per_hour`, optionally modulated by a
///   diurnal cosine (thinning). A worker's type is drawn by share; parameters are drawn per worker.
/// * **A session**: a worker plans a heavy-tailed number of suites (``CrowdSettings/Activity``), leaves
///   after the first with probability `first_visit_dropout`, and asks for the next suite after an
///   exponential pause. A worker who finds no suite (nothing available, the control tasks used up,
///   restricted, pool closed) leaves for good (*choice*); a worker whose suite expires leaves too (*choice*).
/// * **Mixing**: a suite takes `real_tasks_count` general tasks the worker has not answered, with
///   overlap left, drawn at random (or in creation order), plus control and training tasks the worker
///   has not seen (each shown to a worker at most once; infinite overlap), then shuffled on the page.
///   The control tasks come in a per-worker pseudo-random cyclic order (random start and a stride
///   coprime with their number), so a worker sees all of them before any repeats could arise — and
///   a worker who would need a repeat gets no suite. With `force_last_assignment`, a worker who can find
///   only fewer than `min_real_tasks_count` general tasks gets a partial suite.
/// * **Overlap**: a general task is issued until `overlap` workers hold or submitted it; a skipped or
///   expired suite gives its slots back; a rejected one does not. With `dynamic_overlap_config`, when a
///   task reaches its overlap, the confidence in its leading answer is computed as a posterior under
///   uniform prior in which each answerer is a one-coin worker of accuracy q = (K + correct) / (2K + total)
///   from the worker's control answers (K = ``SimulationSettings/dynamicOverlapSmoothing``), and the
///   overlap grows by one until the confidence reaches `min_confidence` or `max_overlap`.
/// * **Times**: a suite takes lognormal time around the worker's median (median seconds per task ×
///   tasks, divided by the type's speed-up); it is skipped with `skip_probability` (after a fifth of
///   that time, *choice*), expires when the time exceeds `assignment_max_duration_seconds`, else is
///   submitted. Every duration is at least 1 ms.
/// * **Quality control**: a ``QualityControlEngine`` gets exactly the events a replay of the TSV export
///   would build (``TolokaExportEvents``): a submission (duration = submitted − started; control and
///   training outcomes in page order), then an accept at once in auto-accept pools (else when a rule
///   approves or rejects, or `auto_accept_period_day` after submission), skips, expiries; and when a
///   general task reaches its final overlap, a majority event for each of its answerers. Majority
///   events at one millisecond are delivered after every other event at that millisecond, ordered by
///   the task's first row in the export, then by row — the order the replay builds. A restricted
///   worker gets no further suites; `REJECT_ALL_ASSIGNMENTS` / `APPROVE_ALL_ASSIGNMENTS` review the
///   worker's SUBMITTED suites.
/// * **Recompletion after a ban**: a `USERS_ASSESSMENT` config whose rule is `CHANGE_OVERLAP` (the
///   "Recompletion of assignments from banned users" rule) adds `delta` to the overlap of every
///   general task in the suites the banned worker had submitted (each suite once), reopening the pool
///   when `open_pool` is true. The banned worker's answers stay (paid) unless rejected, and are left
///   out of the accepted data when ``SimulationSettings/excludeBanned``.
/// * **Closing**: the pool closes `COMPLETED` when every general task reached its overlap and no suite
///   is active (infinite-overlap control tasks do not keep it open), or `EXPIRED` at `will_expire`
///   (default ``SimulationSettings/maxDurationSeconds``); active suites then expire.
/// * **Cost**: each submitted, not rejected suite costs the reward plus Toloka's fee,
///   max(`fee_rate` × reward, `fee_minimum`) — 30 % with a $0.005 minimum by default (Toloka's published
///   requester fee at the time of writing; **unverified**, set it in the scenario). Partial suites are
///   paid in full (*choice*). A banned worker's suites are "wasted"; the others are split into general
///   and control (+ training) cost by the suite's task counts.
///
/// Replay equality: fed the same events, the engine takes the same actions, so replaying `export.tsv`
/// through `pool.json`'s rules reproduces the simulator's bans exactly (same workers, same times), for
/// every emulated collector — except that for `MAJORITY_VOTE` the replay resolves every task once, at
/// its last answer, so a task that never reached its overlap (pool expired) or was reopened by
/// recompletion can make the two differ.
///
/// - Complexity: O(log active workers) per event; issuing a suite is O(suite size) in the common case
///   (O(suite size × answers beyond four) when a task has more than four). The run is bound by memory
///   latency, so the state is laid out for it: each general task's hot state is one 64-byte cache line
///   (counters, position in the available list, label, and its first four answers' slots and workers
///   inline, later ones in an overflow list), each worker's one line; assignments and slots are
///   records; the event heap is 4-ary on a plain buffer. The loop prefetches, one event ahead, the
///   tasks, records and engine state of the next events, and before a request the tasks the mixer's
///   first draws will pick (a copy of the random stream, which nothing uses before those draws). No
///   strings are built and nothing is allocated per event; outputs are formatted only by ``SimulationResult``.
///
/// The mechanics use the shared pool vocabulary of `TallySimulation`: ``Mixer`` (the `mixer_config`),
/// ``AssignmentStatus``, ``PoolCloseReason`` and the event queue, which the Toloka emulator's pools use too,
/// and quality control goes through the pool engine's own component, `QualityControlFeed` (which actions
/// reach the suites, in what order, and what is fed back), as in the emulator's pools.
/// Measured speeds are in `Benchmarks/README.md`.
public enum PoolSimulator {
    /// Runs `scenario` with `seed`.
    /// - Throws: ``ScenarioError`` when the scenario is inconsistent (see ``Scenario/validate()``).
    public static func run(_ scenario: Scenario, seed: UInt64) throws(ScenarioError) -> SimulationResult {
        try scenario.validate()
        let engine: QualityControlEngine
        do {
            engine = try QualityControlEngine(scenario.pool.qualityControl, ignoringUnsupported: true)
        } catch {
            throw ScenarioError(.invalidValue, path: "pool.quality_control." + error.path, error.message)
        }
        var s = Simulation(scenario, seed: seed, engine: engine)
        s.run()
        return SimulationResult(s)
    }
}

