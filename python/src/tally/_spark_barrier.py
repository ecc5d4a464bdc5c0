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
cluster's cores), and a lost task makes Spark re-run the whole fit (same result; with a worker
gone for good a barrier job whose partitions outnumber the remaining slots fails)."""

from __future__ import annotations

import hmac
import pickle
from typing import Any, Dict, List, Tuple

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


class _Group:
    """The barrier tasks' own channel: partition 0 listens on a port of its executor's host,
    every other task connects to it once (the address travels by one ``allGather``; a secret
    shipped from the driver authenticates the connections), then each :meth:`gather` is one
    round trip through partition 0. (``BarrierTaskContext.allGather`` itself polls its answer
    once a second, too slow for a conjugate gradient's hundreds of evaluations.) A peer lost
    mid-fit closes its socket, the others raise, and Spark re-runs the barrier stage."""

    def __init__(self, ctx, secret: bytes, timeout: float):
        import socket
        self.pid, self.size = ctx.partitionId(), len(ctx.getTaskInfos())
        self.peers: Dict[int, Any] = {}
        self.sock = None
        if self.pid == 0:
            host = ctx.getTaskInfos()[0].address.rsplit(":", 1)[0].strip("[]")
            server = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
            server.bind((host, 0))
            server.listen(self.size)
            server.settimeout(timeout)
            ctx.allGather(f"{host}|{server.getsockname()[1]}")
            try:
                while len(self.peers) < self.size - 1:
                    conn, _ = server.accept()
                    conn.settimeout(timeout)
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    try:  # raw bytes, checked before anything from this connection is unpickled
                        hello = _recv_exact(conn, len(secret) + 4)
                    except (OSError, ConnectionError):
                        conn.close()
                        continue
                    peer = int.from_bytes(hello[len(secret):], "little")
                    if not hmac.compare_digest(hello[:len(secret)], secret) or not 0 < peer < self.size or peer in self.peers:
                        conn.close()
                        continue
                    self.peers[peer] = conn
            finally:
                server.close()
        else:
            address = ctx.allGather("")[0]
            host, port = address.rsplit("|", 1)
            self.sock = socket.create_connection((host, int(port)), timeout=timeout)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.sock.sendall(secret + self.pid.to_bytes(4, "little"))

    def gather(self, obj: Any) -> List[Any]:
        """Every task's ``obj``, in partition order."""
        if self.pid != 0:
            _send(self.sock, obj)
            return _recv(self.sock)
        everyone = [obj] + [_recv(self.peers[p]) for p in range(1, self.size)]
        payload = pickle.dumps(everyone, protocol=pickle.HIGHEST_PROTOCOL)
        for p in range(1, self.size):
            _send_bytes(self.peers[p], payload)
        return everyone

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


def _group(ctx, secret: bytes) -> _Group:
    import os
    return _Group(ctx, secret, float(os.environ.get("TALLY_SPARK_BARRIER_TIMEOUT", "3600")))


def em_fit(codes, run: str, method: str, opts: Dict[str, Any], W: int, K: int, n: int) -> List[np.ndarray]:
    """The summed statistics of every pass of a PartitionedFit (ds, onecoin-ds, mv, wawa), computed
    in one barrier job; feed them to the driver's fit in order."""
    import secrets
    from .spark import _native, _partition
    secret = secrets.token_bytes(32)

    def go(records):
        from pyspark import BarrierTaskContext
        ctx = BarrierTaskContext.get()
        group = _group(ctx, secret)
        parts = [(rec[0], _partition(run, rec)) for rec in records]
        fit = _native().PartitionedFit(method, opts, W, K)
        history = []
        while not fit.done:
            pass_, params = fit.pass_, fit.parameters()
            mine = [(pid, part.run(pass_, params)[0]) for pid, part in parts]
            stats = pairwise_sum([item for theirs in group.gather(mine) for item in theirs], n)
            fit.update(stats)
            history.append(stats)
        group.close()
        if ctx.partitionId() == 0:
            yield history

    return _run_barrier(codes, go)


def glad_fit(codes, run: str, W: int, K: int, opts: Dict[str, Any], starts: Dict[int, int], tasks: int,
             answers: int) -> Dict[str, Any]:
    """GLAD's fit (tally_partitioned_glad_fit's result) in one barrier job: each task runs the
    conjugate gradient over the whole parameter vector, its partitions' E-steps and likelihood
    passes locally, and gathers the other partitions' exact partials and β-gradients."""
    import secrets
    from .spark import _native, _partition
    secret = secrets.token_bytes(32)

    def go(records):
        from pyspark import BarrierTaskContext
        ctx = BarrierTaskContext.get()
        group = _group(ctx, secret)
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

        out = _native().partitioned_glad_fit(opts, W, tasks, K, answers, e_step, likelihood)
        group.close()
        if ctx.partitionId() == 0:
            yield out

    return _run_barrier(codes, go)


def _run_barrier(codes, go):
    """Runs ``go`` over every partition of ``codes`` as one barrier job; partition 0 alone yields,
    and its one result is returned."""
    out = codes.barrier().mapPartitions(go).collect()
    if len(out) != 1:
        raise RuntimeError(f"tally.spark: the barrier job returned {len(out)} results, expected 1")
    return out[0]
