"""tally.spark's barrier mode (``aggregate(..., barrier=True)``): a whole fit in one Spark job.

In the default mode every EM pass (every GLAD objective evaluation) is a Spark job, and on small
data sets a job's scheduling latency, not Tally's E-step, is the cost: GLAD takes 29 to 1,743
objective evaluations per fit on the 23 real data sets. Here the fit runs as one job in Spark's
barrier execution mode (``RDD.barrier().mapPartitions``, all partitions' tasks launched at once):
every task runs the same driver loop that the default mode runs on the driver (Tally's
``PartitionedFit`` or ``tally_partitioned_glad_fit``), its partitions' passes locally, and where
the driver would sum the partitions' statistics each task sends its own to the others (through
partition 0, over a socket the tasks open among themselves, as XGBoost and Horovod do on Spark)
and sums everyone's **in the default mode's order** (the same
pairwise tree over partition indices for Dawid-Skene's float sums; GLAD's partials are integers,
any order). So every task holds the same bits at every step, the same bits as the default mode's
driver, and partition 0 returns the summed statistics of every pass (GLAD: the fit's result);
the driver replays them into its own ``PartitionedFit`` so that skills, confusions, priors and
the loss history come from the same place as in the default mode.

The price: every partition needs a task slot at the same time (``num_partitions`` at most the
cluster's cores), and a lost task makes Spark re-run the whole fit. What happens then (tested by
python/tests_spark's ``test_barrier_kill_one_worker_during_a_fit``):

- Spark does not retry a failed barrier *result* stage, it aborts the job ("Could not recover from
  a failed barrier ResultStage"), so the fit's stage ends in a one-partition shuffle (a barrier
  *shuffle map* stage), which Spark re-runs whole: every task of the stage is killed and all
  partitions start again (``spark.stage.maxConsecutiveAttempts`` times at most, 4 by default).
- A re-run starts from nothing: partition 0 listens on a new port, the address travels by the new
  attempt's ``allGather`` with partition 0's task attempt id (the *round*, unique to that stage
  attempt), a connection must present the secret and the round (a straggler of an earlier
  attempt is turned away), and every task starts its fit afresh from the same codes, so it ends
  with the same bits as an undisturbed run.
- An executor lost after the stage ended, before the driver read partition 0's result, makes
  Spark re-run only that executor's partitions, a task set whose ``allGather`` would wait for the
  others forever; a task that sees fewer partitions launched than the fit has fails at once, and
  Spark then re-runs the whole stage.
- Every socket operation has a timeout (``barrier_timeout`` for a peer's statistics, which take
  a pass; a shorter one to connect), TCP keepalive notices a vanished host, and a peer that dies
  closes its socket, so a task raises instead of waiting forever; Spark then kills the others.
- The re-run needs ``num_partitions`` slots at once again. With an executor lost and not replaced,
  Spark would wait for them forever; the driver watches the cluster's slots while the job runs and
  cancels it with :class:`BarrierSlotsError` when they stay too few for ``slot_wait`` seconds (and
  raises the same before submitting a job that cannot get its slots)."""

from __future__ import annotations

import hmac
import pickle
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Tuple

import numpy as np


def pairwise_sum(indexed: List[Tuple[int, np.ndarray]], partitions: int) -> np.ndarray:
    """The element-wise sum of (partition index, vector) pairs in the default mode's order
    (tally.spark._tree_sum): while more than 8 slots remain, slot i takes the sum of slots 2i and
    2i+1 (one float addition per element, commutative, so its order does not matter); the last
    slots are added in index order."""
    if not indexed:
        raise ValueError("tally.spark: no partition holds answers")
    level: Dict[int, np.ndarray] = dict(indexed)
    count = partitions
    while count > 8:
        count = (count + 1) // 2
        merged: Dict[int, np.ndarray] = {}
        for key in sorted(level):
            half = key // 2
            merged[half] = merged[half] + level[key] if half in merged else level[key]
        level = merged
    keys = sorted(level)
    total = level[keys[0]].copy()
    for key in keys[1:]:
        total += level[key]
    return total


class BarrierSlotsError(RuntimeError):
    """A barrier-mode fit needs more task slots at once than the cluster has (at submission, or
    after an executor was lost and not replaced within the wait)."""


def _log(ctx, round_: Any, message: str) -> None:
    """One line about the barrier fit's progress when the executor's environment sets
    TALLY_SPARK_BARRIER_LOG (``spark.executorEnv.TALLY_SPARK_BARRIER_LOG``): "1" writes it to the
    executor's stderr, any other value is a file the line is appended to (one write, so lines of
    concurrent tasks do not mix). The line: stage, round (partition 0's task attempt id: one per
    attempt of the stage, increasing), partition, the Python worker's pid, message."""
    import os
    import sys
    where = os.environ.get("TALLY_SPARK_BARRIER_LOG")
    if not where:
        return
    line = (f"tally.spark barrier: stage {ctx.stageId()} round {round_} partition {ctx.partitionId()} "
            f"pid {os.getpid()}: {message}\n")
    if where == "1":
        sys.stderr.write(line)
        sys.stderr.flush()
    else:
        fd = os.open(where, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode())
        finally:
            os.close(fd)


def _keepalive(sock) -> None:
    """TCP keepalive probes after 10 s of silence, every 5 s, 3 unanswered = the peer's host is gone."""
    import socket
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for name, value in (("TCP_KEEPIDLE", 10), ("TCP_KEEPINTVL", 5), ("TCP_KEEPCNT", 3)):
        if hasattr(socket, name):
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, name), value)


class _Group:
    """The barrier tasks' own channel: partition 0 listens on a port of its executor's host,
    every other task connects to it once (the address travels by one ``allGather``; a secret
    shipped from the driver and the round authenticate the connections), then
    each :meth:`gather` is one round trip through partition 0. (``BarrierTaskContext.allGather``
    itself polls its answer once a second, too slow for a conjugate gradient's hundreds of
    evaluations.) A peer lost mid-fit closes its socket (or stops answering keepalive probes, or
    exceeds ``timeout``), the others raise, and Spark re-runs the barrier stage."""

    def __init__(self, ctx, secret: bytes, timeout: float, connect_timeout: float, partitions: int):
        import socket
        import time
        self.pid, self.size = ctx.partitionId(), len(ctx.getTaskInfos())
        if self.size != partitions:
            # Spark re-runs only the partitions whose shuffle output was lost (an executor lost
            # after the stage ended, before its output was read): a task set short of partitions,
            # whose allGather would wait for the missing ones forever. Failing it makes Spark
            # drop every partition's output and re-run the whole barrier stage.
            _log(ctx, "-", f"only {self.size} of {partitions} partitions launched (a partial re-run): failing it")
            raise RuntimeError(f"tally.spark barrier: only {self.size} of the fit's {partitions} partitions were "
                               f"launched (Spark re-ran the partitions of a lost executor); failing so that the "
                               f"whole barrier stage runs again")
        self.timeout = timeout
        self.peers: Dict[int, Any] = {}
        self.sock = None
        self.ctx = ctx
        if self.pid == 0:
            self.round = ctx.taskAttemptId()
            token = secret + self.round.to_bytes(8, "little")
            host = ctx.getTaskInfos()[0].address.rsplit(":", 1)[0].strip("[]")
            server = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            try:
                server.bind((host, 0))
                server.listen(self.size)
                _log(ctx, self.round, f"listening on {host}:{server.getsockname()[1]}")
                ctx.allGather(f"{host}|{server.getsockname()[1]}|{self.round}")
                deadline = time.monotonic() + connect_timeout
                while len(self.peers) < self.size - 1:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise TimeoutError(f"tally.spark barrier: partition 0 waited {connect_timeout:.0f} s for "
                                           f"partitions {sorted(set(range(1, self.size)) - set(self.peers))} to connect")
                    server.settimeout(left)
                    try:
                        conn, _ = server.accept()
                    except socket.timeout:
                        continue
                    conn.settimeout(min(left, 30.0))
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    try:  # raw bytes, checked before anything from this connection is unpickled
                        hello = _recv_exact(conn, len(token) + 4)
                    except (OSError, ConnectionError):
                        conn.close()
                        continue
                    peer = int.from_bytes(hello[len(token):], "little")
                    if not hmac.compare_digest(hello[:len(token)], token) or not 0 < peer < self.size or peer in self.peers:
                        _log(ctx, self.round, "refused a connection (wrong secret or round, or a partition already connected)")
                        conn.close()
                        continue
                    conn.settimeout(timeout)
                    _keepalive(conn)
                    self.peers[peer] = conn
            except BaseException:
                self.close()
                raise
            finally:
                server.close()
        else:
            host, port, round_ = ctx.allGather("")[0].rsplit("|", 2)
            self.round = int(round_)
            token = secret + self.round.to_bytes(8, "little")
            self.sock = socket.create_connection((host, int(port)), timeout=connect_timeout)
            try:
                self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                _keepalive(self.sock)
                self.sock.sendall(token + self.pid.to_bytes(4, "little"))
                self.sock.settimeout(timeout)
            except BaseException:
                self.close()
                raise
            _log(ctx, self.round, f"connected to {host}:{port}")

    def gather(self, obj: Any) -> List[Any]:
        """Every task's ``obj``, in partition order."""
        try:
            if self.pid != 0:
                _send(self.sock, obj)
                return _recv(self.sock)
            everyone = [obj] + [_recv(self.peers[p]) for p in range(1, self.size)]
            payload = pickle.dumps(everyone, protocol=pickle.HIGHEST_PROTOCOL)
            for p in range(1, self.size):
                _send_bytes(self.peers[p], payload)
            return everyone
        except (TimeoutError, socket.timeout) as e:  # one class from Python 3.10 on, two before
            raise TimeoutError(f"tally.spark barrier: partition {self.pid} (round {self.round}) waited over "
                               f"{self.timeout:.0f} s (barrier_timeout) for its peers' statistics") from e

    def close(self) -> None:
        for s in list(self.peers.values()) + ([self.sock] if self.sock is not None else []):
            s.close()


def _send_bytes(sock, payload: bytes) -> None:
    sock.sendall(len(payload).to_bytes(8, "little") + payload)


def _send(sock, obj: Any) -> None:
    _send_bytes(sock, pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL))


def _recv_exact(sock, n: int) -> bytes:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if k == 0:
            raise ConnectionError("tally.spark: a barrier task's peer closed its connection (lost task?)")
        got += k
    return bytes(buf)


def _recv(sock) -> Any:
    return pickle.loads(_recv_exact(sock, int.from_bytes(_recv_exact(sock, 8), "little")))


@dataclass(frozen=True)
class Settings:
    """How a barrier fit waits: ``timeout`` seconds at most for a peer's statistics (one pass of
    the slowest partition), ``connect_timeout`` for the tasks to connect, ``slot_wait`` for the
    cluster to have ``num_partitions`` task slots (at submission, and after a lost executor)."""

    timeout: float = 3600.0
    connect_timeout: float = 120.0
    slot_wait: float = 120.0


def em_fit(codes, run: str, method: str, opts: Dict[str, Any], W: int, K: int, n: int,
           settings: Settings = Settings()) -> List[np.ndarray]:
    """The summed statistics of every pass of a PartitionedFit (ds, onecoin-ds, mv, wawa), computed
    in one barrier job; feed them to the driver's fit in order."""
    import secrets
    from .spark import _native, _partition
    secret = secrets.token_bytes(32)
    partitions = codes.getNumPartitions()

    def go(records):
        from pyspark import BarrierTaskContext
        ctx = BarrierTaskContext.get()
        group = _Group(ctx, secret, settings.timeout, settings.connect_timeout, partitions)
        try:
            parts = [(rec[0], _partition(run, rec)) for rec in records]
            fit = _native().PartitionedFit(method, opts, W, K)
            history = []
            while not fit.done:
                pass_, params = fit.pass_, fit.parameters()
                mine = [(pid, part.run(pass_, params)[0]) for pid, part in parts]
                stats = pairwise_sum([item for theirs in group.gather(mine) for item in theirs], n)
                fit.update(stats)
                history.append(stats)
                _log(ctx, group.round, f"pass {len(history)}")
        finally:
            group.close()
        _log(ctx, group.round, f"done after {len(history)} passes")
        if ctx.partitionId() == 0:
            yield history

    return _run_barrier(codes, go, partitions, settings)


def glad_fit(codes, run: str, W: int, K: int, opts: Dict[str, Any], starts: Dict[int, int], tasks: int,
             answers: int, settings: Settings = Settings()) -> Dict[str, Any]:
    """GLAD's fit (tally_partitioned_glad_fit's result) in one barrier job: each task runs the
    conjugate gradient over the whole parameter vector, its partitions' E-steps and likelihood
    passes locally, and gathers the other partitions' exact partials and β-gradients."""
    import secrets
    from .spark import _native, _partition
    secret = secrets.token_bytes(32)
    partitions = codes.getNumPartitions()

    def go(records):
        from pyspark import BarrierTaskContext
        ctx = BarrierTaskContext.get()
        group = _Group(ctx, secret, settings.timeout, settings.connect_timeout, partitions)
        evaluations = [0]
        try:
            parts = [(rec[0], rec[1], _partition(run, rec)) for rec in records]
            posteriors: Dict[int, np.ndarray] = {}

            def e_step(x: np.ndarray) -> None:
                for pid, count, part in parts:
                    lo = W + starts[pid]
                    posteriors[pid] = part.glad_estep(x[:W], x[lo:lo + count])[0]

            def likelihood(x: np.ndarray, partial: np.ndarray, gradient: np.ndarray) -> None:
                mine = []
                for pid, count, part in parts:
                    lo = W + starts[pid]
                    exact, gb = part.glad_likelihood(x[:W], x[lo:lo + count], posteriors[pid])
                    mine.append((pid, exact, gb))
                for theirs in group.gather(mine):
                    for pid, exact, gb in theirs:  # integer sums: any order gives the same bits
                        partial += exact
                        lo = W + starts[pid]
                        gradient[lo:lo + len(gb)] = gb
                evaluations[0] += 1
                _log(ctx, group.round, f"pass {evaluations[0]}")

            out = _native().partitioned_glad_fit(opts, W, tasks, K, answers, e_step, likelihood)
        finally:
            group.close()
        _log(ctx, group.round, f"done after {evaluations[0]} passes")
        if ctx.partitionId() == 0:
            yield out

    return _run_barrier(codes, go, partitions, settings)


def _slots(sc) -> Optional[int]:
    """The task slots of the cluster's live executors (what Spark's own barrier check counts), or
    None when this Spark does not tell."""
    try:
        jsc = sc._jsc.sc()
        return int(jsc.maxNumConcurrentTasks(jsc.resourceProfileManager().defaultResourceProfile()))
    except Exception:  # noqa: BLE001 - a private Spark API: no check rather than no fit
        return None


def _too_few(partitions: int, slots: int, waited: float, during: bool) -> BarrierSlotsError:
    when = (f"after an executor was lost the cluster had {slots} for {waited:.0f} s, so Spark could not re-run the fit"
            if during else f"the cluster has {slots} (waited {waited:.0f} s)")
    return BarrierSlotsError(
        f"tally.spark.aggregate(barrier=True): the fit's {partitions} partitions need {partitions} task slots at once; "
        f"{when}. Use num_partitions <= the cluster's slots, add or restart executors, raise barrier_slot_wait, "
        f"or run with barrier=False (one job per pass re-runs only lost partitions)")


def wait_for_slots(sc, partitions: int, slot_wait: float) -> None:
    """Returns once the cluster has ``partitions`` task slots (executors may still be registering);
    raises :class:`BarrierSlotsError` after ``slot_wait`` seconds without them."""
    import time
    began = time.monotonic()
    slots = _slots(sc)
    while slots is not None and slots < partitions:
        if time.monotonic() - began >= slot_wait:
            raise _too_few(partitions, slots, time.monotonic() - began, during=False)
        time.sleep(1.0)
        slots = _slots(sc)


def _run_barrier(codes, go, partitions: int, settings: Settings):
    """Runs ``go`` over every partition of ``codes`` as one barrier job and returns the one result
    partition 0 yields. The barrier stage ends in a one-partition shuffle so that Spark re-runs it
    after a lost task (a failed barrier result stage is not retried); a watchdog cancels the job
    when the cluster's slots stay below ``partitions`` for ``settings.slot_wait`` seconds."""
    import threading
    import time
    import uuid
    sc = codes.context
    wait_for_slots(sc, partitions, settings.slot_wait)
    tag = f"tally-barrier-{uuid.uuid4().hex}"
    stop = threading.Event()
    short: List[Any] = []

    def watch() -> None:
        since = None
        while not stop.wait(1.0):
            now_slots = _slots(sc)
            if now_slots is None or now_slots >= partitions:
                since = None
                continue
            since = time.monotonic() if since is None else since
            if time.monotonic() - since >= settings.slot_wait:
                short.append((now_slots, time.monotonic() - since))
                sc.cancelJobsWithTag(tag)
                return

    sc.addJobTag(tag)
    watcher = threading.Thread(target=watch, name="tally-barrier-slots", daemon=True)
    watcher.start()
    try:
        out = codes.barrier().mapPartitions(go).map(lambda r: (0, r)).partitionBy(1).values().collect()
    except Exception as e:
        if short:
            raise _too_few(partitions, short[0][0], short[0][1], during=True) from e
        raise
    finally:
        stop.set()
        sc.removeJobTag(tag)
        watcher.join()
    if len(out) != 1:
        raise RuntimeError(f"tally.spark: the barrier job returned {len(out)} results, expected 1")
    return out[0]
