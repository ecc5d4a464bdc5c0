"""Barrier mode under a lost worker: one of the local cluster's workers is killed (SIGKILL, with
its executor and so its Python workers) in the middle of a barrier-mode fit; Spark re-runs the
whole barrier stage on a replacement worker the test starts (a barrier stage needs all its slots at
once, and the cluster has two one-core workers), and the fit ends with the same bits as without the
kill. Without a replacement the fit stops with BarrierSlotsError instead of waiting forever.

The kill is timed by the barrier tasks' own log lines (``spark.executorEnv.TALLY_SPARK_BARRIER_LOG``,
set by conftest to $TALLY_SPARK_WORK/barrier.log; the executors' stderr files lag far behind under
load): "stage S round R partition P pid X: pass N" (R: partition 0's task attempt id, one per
attempt of the stage, increasing; X: the Python worker, whose ancestors are its executor and
worker)."""

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import tally
import tally.aggregation as ta
from tally import spark as ts
from tally._spark_barrier import BarrierSlotsError

WORK = os.environ.get("TALLY_SPARK_WORK")
REPO = Path(os.environ.get("TALLY_REPO", Path(__file__).resolve().parents[2]))
DATASETS = Path(os.environ.get("TALLY_DATASETS", REPO.parent / "shared" / "datasets"))
LINE = re.compile(r"tally\.spark barrier: stage (\d+) round (\d+) partition (\d+) pid (\d+): "
                  r"(pass (\d+)|done after (\d+) passes)")

pytestmark = pytest.mark.skipif(not WORK or not os.environ.get("TALLY_SPARK_WORKER_PIDS"),
                                reason="needs the cluster of scripts/test-spark.sh (TALLY_SPARK_WORK, TALLY_SPARK_WORKER_PIDS)")


class Cluster:
    """The test's view of scripts/test-spark.sh's workers: name (worker1, worker2, ...) to the
    worker daemon's pid; replacements started here are written to $TALLY_SPARK_WORK/extra-pids so
    that the script stops them at the end."""

    def __init__(self, spark):
        self.spark = spark
        pids = [int(p) for p in os.environ["TALLY_SPARK_WORKER_PIDS"].split()]
        self.workers = {f"worker{i + 1}": pid for i, pid in enumerate(pids)}
        self.started = len(pids)

    def alive(self):
        """Workers whose process runs (not gone, not a zombie not yet reaped)."""
        out = {}
        for name, pid in self.workers.items():
            try:
                with open(f"/proc/{pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if state != "Z":
                out[name] = pid
        return out

    def slots(self):
        jsc = self.spark.sparkContext._jsc.sc()
        return int(jsc.maxNumConcurrentTasks(jsc.resourceProfileManager().defaultResourceProfile()))

    def start_worker(self):
        self.started += 1
        name = f"worker{self.started}"
        log = open(f"{WORK}/{name}.log", "w")
        proc = subprocess.Popen([f"{os.environ['SPARK_HOME']}/bin/spark-class", "org.apache.spark.deploy.worker.Worker",
                                 os.environ["TALLY_SPARK_MASTER"], "--host", "127.0.0.1", "--cores", "1",
                                 "--memory", os.environ.get("TALLY_SPARK_WORKER_MEMORY", "2g"), "--webui-port", "0",
                                 "--work-dir", f"{WORK}/{name}"], stdout=log, stderr=subprocess.STDOUT)
        with open(f"{WORK}/extra-pids", "a") as f:
            f.write(f"{proc.pid}\n")
        self.workers[name] = proc.pid
        return name

    def wait_slots(self, count, seconds=180):
        deadline = time.time() + seconds
        while self.slots() < count:
            assert time.time() < deadline, f"the cluster did not reach {count} task slots in {seconds} s"
            time.sleep(0.5)

    def ensure(self, count):
        """At least ``count`` live one-core workers with executors."""
        for _ in range(count - len(self.alive())):
            self.start_worker()
        self.wait_slots(count)

    def kill(self, name):
        """SIGKILL to the worker daemon and its children (the executor JVM; its Python daemon and
        workers exit when their JVM goes)."""
        pid = self.workers[name]
        children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
        for p in [pid] + [int(c) for c in children]:
            os.kill(p, signal.SIGKILL)
        return children

    def hosting(self, pid):
        """The worker whose executor runs Python process ``pid`` (an ancestor), or None."""
        by_pid = {p: name for name, p in self.workers.items()}
        while pid > 1:
            if pid in by_pid:
                return by_pid[pid]
            try:
                pid = _parent(pid)
            except OSError:
                return None
        return None


class BarrierLog:
    """The barrier tasks' log lines written since :meth:`mark`."""

    def __init__(self):
        self.path = Path(WORK) / "barrier.log"
        self.offset = 0

    def mark(self):
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def lines(self):
        """(python pid, stage, attempt, partition, pass or None, done passes or None) in order; the
        attempt numbers the rounds seen since :meth:`mark` in order (0: the first)."""
        if not self.path.exists():
            return []
        with open(self.path, "rb") as fh:
            fh.seek(self.offset)
            text = fh.read().decode(errors="replace")
        out = [(int(m[4]), int(m[1]), int(m[2]), int(m[3]), int(m[6]) if m[6] else None, int(m[7]) if m[7] else None)
               for m in LINE.finditer(text)]
        rounds = {r: i for i, r in enumerate(sorted({ln[2] for ln in out}))}
        return [(pid, st, rounds[r], *rest) for pid, st, r, *rest in out]


def _parent(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[1])


@pytest.fixture(scope="module")
def cluster(spark):
    """One view of the workers for the module's tests (replacements started by one test are the
    next test's workers)."""
    return Cluster(spark)


def _answers(name):
    """A real data set's answers: the repository's datasets/real copy, else the outside copy."""
    for path in (REPO / "datasets" / "real" / name / "answers.tsv.gz", DATASETS / name / "answers.tsv",
                 DATASETS / name / "answers.tsv.gz"):
        if path.exists():
            return tally.read_answers(str(path)).astype(str)
    pytest.skip(f"data set {name} not found")


def _labels(result):
    got = result.labels.toPandas().set_index("task").sort_index()
    return got["label"], np.vstack(got["probabilities"].to_numpy())


def _killed_fit(spark, cluster, sdf, method, options, kill_partition, at_pass, replace=True, **kwargs):
    """One barrier fit on two partitions, the worker running ``kill_partition`` killed once that
    partition logs pass ``at_pass`` of the stage's first attempt (a replacement worker started
    right after when ``replace``). Returns (result or the exception, seconds, kill record, lines)."""
    log = BarrierLog()
    log.mark()
    state = {}
    stop = threading.Event()

    def killer():
        while not stop.wait(0.05):
            for pid, _stage, attempt, partition, pass_, _done in log.lines():
                if attempt == 0 and partition == kill_partition and pass_ is not None and pass_ >= at_pass:
                    worker = cluster.hosting(pid)
                    if worker is None:
                        state["error"] = f"no worker of {cluster.workers} runs the Python worker {pid}"
                        return
                    state["children"] = cluster.kill(worker)
                    state.update(worker=worker, pass_=pass_, at=time.perf_counter())
                    if replace:
                        state["replacement"] = cluster.start_worker()
                    break
            else:
                continue
            break
        # After the kill: when the driver has seen the executor go and then has two slots again
        # (the replacement's executor), when the re-run's first pass is logged.
        while not stop.wait(0.1) and "rerun" not in state:
            if replace and "ready" not in state:
                slots = cluster.slots()
                if slots < 2:
                    state["lost"] = True
                elif state.get("lost"):
                    state["ready"] = time.perf_counter() - state["at"]
            if any(attempt > 0 and pass_ == 1 for _, _, attempt, _, pass_, _ in log.lines()):
                state["rerun"] = time.perf_counter() - state["at"]

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    t0 = time.perf_counter()
    try:
        result = ts.aggregate(sdf, method, probabilities=True, num_partitions=2, barrier=True, **kwargs, **options)
        result.labels.count()
    except Exception as e:  # noqa: BLE001 - returned for the caller's assertion
        result = e
    seconds = time.perf_counter() - t0
    stop.set()
    thread.join()
    return result, seconds, state, log.lines()


# DS: 1,000 passes (tol=0 never stops early on gal-hitspam-cf), GLAD: 10 EM iterations on act-sp
# (hundreds of objective evaluations), both seconds of fit; both sets ship in datasets/real.
CASES = [("ds", "gal-hitspam-cf", dict(n_iter=1000, tol=0), 0, 20),
         ("glad", "act-sp", dict(n_iter=10, tol=0), 1, 20)]


def test_barrier_kill_one_worker_during_a_fit(spark, cluster):
    """DS and GLAD in barrier mode on two partitions (two one-core workers), each run undisturbed
    and then with a worker killed mid-fit (DS: the worker of partition 0, which holds the tasks'
    server socket; GLAD: the worker of partition 1) and a replacement started: Spark re-runs the
    barrier stage (a second attempt of every partition, from pass 1), and the result has the
    undisturbed run's bits (labels equal, probabilities the same bits), labels equal to one
    machine's and probabilities within 1e-9 (GLAD: one machine's bits). Prints the retry's cost
    (the killed run's seconds minus the undisturbed run's, and each phase's); every case runs
    TALLY_SPARK_KILL_REPEAT times (default 1), with the medians printed at the end."""
    costs = {}
    repeat = int(os.environ.get("TALLY_SPARK_KILL_REPEAT", "1"))
    for method, name, options, kill_partition, at_pass in [c for c in CASES for _ in range(repeat)]:
        frame = _answers(name)
        sdf = spark.createDataFrame(frame[["task", "worker", "label"]]).cache()
        sdf.count()
        one = (ta.DawidSkene if method == "ds" else ta.GLAD)(**options).fit(frame)
        cluster.ensure(2)
        t0 = time.perf_counter()
        reference = ts.aggregate(sdf, method, probabilities=True, num_partitions=2, barrier=True, **options)
        ref_labels, ref_p = _labels(reference)
        ref_seconds = time.perf_counter() - t0
        one_labels = one.labels_.sort_index()
        assert (ref_labels == one_labels.loc[ref_labels.index]).all()
        assert list(one.probas_.columns) == reference.classes

        result, seconds, kill, lines = _killed_fit(spark, cluster, sdf, method, options, kill_partition, at_pass)
        assert "error" not in kill, kill.get("error")
        assert kill, f"{method}: the worker was not killed (no pass {at_pass} logged by partition {kill_partition})"
        assert kill["children"], f"{method}: the killed worker had no executor"
        assert not isinstance(result, Exception), f"{method}: the fit failed after the kill: {result}"
        first = [ln for ln in lines if ln[2] == 0]
        retry = [ln for ln in lines if ln[2] > 0]
        assert not any(ln[5] is not None for ln in first), f"{method}: the first attempt finished: the kill came too late"
        assert {ln[3] for ln in retry if ln[4] == 1} == {0, 1}, f"{method}: the re-run did not start every partition at pass 1"
        assert {ln[3] for ln in retry if ln[5] is not None} == {0, 1}, f"{method}: the re-run did not finish on both partitions"
        assert result.passes == reference.passes
        labels, p = _labels(result)
        assert (labels == ref_labels).all(), f"{method}: labels differ from the undisturbed run's"
        assert np.array_equal(p, ref_p), f"{method}: probabilities are not the undisturbed run's bits"
        assert (labels == one_labels.loc[labels.index]).all(), f"{method}: labels differ from one machine's"
        diff = float(np.abs(p - one.probas_.loc[labels.index].to_numpy()).max())
        assert diff <= 1e-9, f"{method}: probabilities differ from one machine's by {diff}"
        if method == "glad":
            assert diff == 0.0, "glad: exact sums, so one machine's bits"
        attempts = max(ln[2] for ln in lines) + 1
        phases = ", ".join(f"{k} {result.timings[k]:.1f}/{reference.timings[k]:.1f}" for k in result.timings)
        print(f"barrier kill, {method} on {name}: {kill['worker']} (partition {kill_partition}) killed at pass "
              f"{kill['pass_']} of {result.passes}; {attempts} stage attempts; {seconds:.1f} s against "
              f"{ref_seconds:.1f} s undisturbed (retry cost {seconds - ref_seconds:.1f} s, a replacement worker "
              f"started, its executor up {kill.get('ready', float('nan')):.1f} s and the re-run's first pass "
              f"{kill.get('rerun', float('nan')):.1f} s after the kill; killed/undisturbed s: {phases}); "
              f"same bits as undisturbed, max |Δp| to one machine {diff:.3g}; load {os.getloadavg()[0]:.1f}", flush=True)
        costs.setdefault(method, []).append((seconds - ref_seconds, seconds, ref_seconds))
        sdf.unpersist()
    for method, runs in costs.items():
        print(f"barrier kill, {method}: median retry cost {np.median([r[0] for r in runs]):.1f} s over {len(runs)} runs "
              f"(killed {np.median([r[1] for r in runs]):.1f} s, undisturbed {np.median([r[2] for r in runs]):.1f} s)")


def test_barrier_too_few_slots(spark, cluster):
    """num_partitions above the cluster's slots: BarrierSlotsError after barrier_slot_wait, before
    any fit; and a worker killed mid-fit with no replacement: the re-run cannot get its slots, and
    the fit stops with BarrierSlotsError after barrier_slot_wait instead of waiting forever."""
    cluster.ensure(2)
    assert len(cluster.alive()) == 2 and cluster.slots() == 2, "needs exactly two one-core workers"
    frame = _answers("gal-hitspam-cf")
    sdf = spark.createDataFrame(frame[["task", "worker", "label"]]).cache()
    sdf.count()
    t0 = time.perf_counter()
    with pytest.raises(BarrierSlotsError, match="3 partitions need 3 task slots at once; the cluster has 2"):
        ts.aggregate(sdf, "ds", num_partitions=3, barrier=True, barrier_slot_wait=2)
    print(f"barrier, 3 partitions on 2 slots: BarrierSlotsError after {time.perf_counter() - t0:.1f} s")
    result, seconds, kill, _ = _killed_fit(spark, cluster, sdf, "ds", dict(n_iter=1000, tol=0), 1, 20, replace=False,
                                           barrier_slot_wait=10)
    assert kill, "the worker was not killed"
    assert isinstance(result, BarrierSlotsError), f"expected BarrierSlotsError, got {result!r}"
    assert "after an executor was lost the cluster had 1" in str(result)
    print(f"barrier, worker killed without a replacement: BarrierSlotsError {time.perf_counter() - kill['at']:.1f} s "
          f"after the kill (barrier_slot_wait 10 s)")
    cluster.ensure(2)  # the next tests have two slots again
    sdf.unpersist()
