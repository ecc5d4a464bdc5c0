"""ctypes bindings to libTallyC (Sources/CTallyABI/include/tally.h). Internal to the package."""

from __future__ import annotations

import ctypes as C
import json
import os
import threading
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

import numpy as np

_I32P = C.POINTER(C.c_int32)
_I64P = C.POINTER(C.c_int64)
_F64P = C.POINTER(C.c_double)

TALLY_ERROR_INPUT = 1
TALLY_ERROR_AGGREGATION = 2
TALLY_ERROR_IO = 3


class _Error(C.Structure):
    _fields_ = [("code", C.c_int32), ("message", C.c_char * 1024)]


class _Names(C.Structure):
    _fields_ = [("count", C.c_int64), ("bytes", C.c_char_p), ("offsets", _I64P)]


class _Answers(C.Structure):
    _fields_ = [("count", C.c_int64), ("task", _I32P), ("worker", _I32P), ("label", _I32P),
                ("tasks", _Names), ("workers", _Names), ("labels", _Names)]


class _Inputs(C.Structure):
    _fields_ = [("gold_count", C.c_int64), ("gold_task", _I32P), ("gold_label", _I32P), ("gold_labels", _Names),
                ("weight_count", C.c_int64), ("weight_worker", _I32P), ("weight_value", _F64P),
                ("initial_count", C.c_int64), ("initial_worker", _I32P), ("initial_answer", _I32P),
                ("initial_truth", _I32P), ("initial_value", _F64P)]


class TallyError(RuntimeError):
    """An error the Tally library reported that is not about the caller's data."""


def _extracted_from_zip() -> Optional[Path]:
    """When the package is imported from a zip (a wheel shipped with Spark's --py-files or
    addPyFile), the native libraries cannot be loaded from inside it: they are extracted once per
    wheel into a cache folder ($TALLY_NATIVE_CACHE, else the temporary folder) and loaded from there."""
    import hashlib
    import tempfile
    import zipfile
    here = Path(__file__).resolve()
    archive = next((p for p in here.parents if p.is_file() and zipfile.is_zipfile(p)), None)
    if archive is None:
        return None
    stat = archive.stat()
    key = hashlib.sha1(f"{archive}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    root = Path(os.environ.get("TALLY_NATIVE_CACHE", tempfile.gettempdir())) / f"tally-native-{key}"
    lib = root / "libTallyC.so"
    if lib.exists():
        return lib
    inner = here.parent.relative_to(archive).as_posix() + "/_native/"
    staging = Path(tempfile.mkdtemp(prefix="tally-native-", dir=root.parent))
    with zipfile.ZipFile(archive) as z:
        for name in z.namelist():
            if name.startswith(inner) and not name.endswith("/"):
                target = staging / name[len(inner):]
                target.write_bytes(z.read(name))
                target.chmod(0o755)
    try:
        staging.rename(root)  # atomic: a concurrent extraction of the same wheel keeps the first
    except OSError:
        import shutil
        shutil.rmtree(staging, ignore_errors=True)
    return lib


def _find_library() -> Path:
    env = os.environ.get("TALLY_LIBRARY")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent / "_native" / "libTallyC.so"
    if here.exists():
        return here
    extracted = _extracted_from_zip()
    if extracted is not None and extracted.exists():
        return extracted
    raise ImportError(
        "libTallyC.so was not found in the tally package (tally/_native); install the package with "
        "`pip install ./python` from the Tally repository, or set TALLY_LIBRARY to a built libTallyC.so")


# TALLY_ABI_VERSION of tally.h that these declarations follow.
ABI_VERSION = 2

_lock = threading.Lock()
_lib: Optional[C.CDLL] = None
_pylib: Optional[C.PyDLL] = None


def lib() -> C.CDLL:
    """The loaded library, with its function signatures declared (loaded once)."""
    global _lib
    with _lock:
        if _lib is None:
            path = _find_library()
            loaded = _declare(C.CDLL(str(path)))
            found = loaded.tally_abi_version()
            if found != ABI_VERSION:
                raise ImportError(f"{path} speaks Tally's C ABI version {found}; this tally package needs version "
                                  f"{ABI_VERSION}: rebuild the library (scripts/build-wheel.sh) or reinstall the package")
            _lib = loaded
        return _lib


def pylib() -> C.PyDLL:
    """The library loaded as a PyDLL: calls keep the GIL (for tally_factorize, which reads Python
    strings through the C API)."""
    global _pylib
    with _lock:
        if _pylib is None:
            L = C.PyDLL(str(_find_library()))
            f = L.tally_factorize
            f.restype = C.c_int64
            f.argtypes = [C.c_int64, C.c_void_p, C.c_void_p, _I32P, _I64P, C.POINTER(_Error)]
            _pylib = L
        return _pylib


_UTF8 = C.cast(C.pythonapi.PyUnicode_AsUTF8AndSize, C.c_void_p).value


def factorize_strings(values: np.ndarray):
    """(int32 codes, index of each code's first item) of an object array of str, by Tally's interner;
    None when an item is not a str (the caller falls back to pandas)."""
    values = np.ascontiguousarray(values, dtype=object)
    n = len(values)
    codes = np.empty(n, dtype=np.int32)
    first = np.empty(n, dtype=np.int64)
    err = _Error()
    try:
        k = pylib().tally_factorize(n, values.ctypes.data, _UTF8, _p32(codes), first.ctypes.data_as(_I64P), C.byref(err))
    except (TypeError, ValueError, SystemError):  # the C API's error for a non-str item, raised by PyDLL
        return None
    if k < 0:
        return None
    return codes, first[:k]


# tally_glad_callback: (context, kind, x, count, partial, gradient) -> 0 or non-zero to stop.
_GLAD_CALLBACK = C.CFUNCTYPE(C.c_int32, C.c_void_p, C.c_int32, _F64P, C.c_int64, _I64P, _F64P)


def _declare(L: C.CDLL) -> C.CDLL:
    vp = C.c_void_p
    sigs = {
        "tally_abi_version": (C.c_int32, []),
        "tally_method_count": (C.c_int32, []),
        "tally_method_json": (C.c_int64, [C.c_int32, C.c_char_p, C.c_int64]),
        "tally_fit": (vp, [C.c_char_p, C.c_char_p, C.POINTER(_Answers), C.POINTER(_Inputs), C.POINTER(_Error)]),
        "tally_result_free": (None, [vp]),
        "tally_result_task_count": (C.c_int64, [vp]),
        "tally_result_worker_count": (C.c_int64, [vp]),
        "tally_result_label_count": (C.c_int64, [vp]),
        "tally_result_iterations": (C.c_int64, [vp]),
        "tally_result_label_order": (None, [vp, _I32P]),
        "tally_result_labels": (None, [vp, _I32P]),
        "tally_result_probabilities": (None, [vp, _F64P]),
        "tally_result_skills": (C.c_int32, [vp, _F64P]),
        "tally_result_priors": (C.c_int32, [vp, _F64P]),
        "tally_result_loss_history": (C.c_int64, [vp, _F64P, C.c_int64]),
        "tally_result_confusions": (C.c_int32, [vp, _F64P, C.POINTER(C.c_uint8)]),
        "tally_result_table_count": (C.c_int32, [vp]),
        "tally_result_table_json": (C.c_int64, [vp, C.c_int32, C.c_char_p, C.c_int64]),
        "tally_result_table_values": (C.c_int32, [vp, C.c_int32, _F64P]),
        "tally_result_notes": (C.c_int64, [vp, C.c_char_p, C.c_int64]),
        "tally_read_answers": (vp, [C.c_char_p, C.c_char_p, C.POINTER(_Error)]),
        "tally_table_free": (None, [vp]),
        "tally_table_counts": (None, [vp, _I64P]),
        "tally_table_codes": (None, [vp, _I32P, _I32P, _I32P]),
        "tally_table_names": (C.c_int64, [vp, C.c_int32, C.c_char_p, C.c_int64, _I64P]),
        "tally_evaluate": (C.c_int32, [C.c_int64, _I32P, _I32P, C.c_int64, _I32P, _I32P, C.POINTER(_Names),
                                       C.POINTER(_Names), _F64P, C.POINTER(_Error)]),
        "tally_partition_new": (vp, [C.c_int64, _I32P, _I32P, _I32P, C.c_int64, C.c_int64, C.c_int64, C.POINTER(_Error)]),
        "tally_partition_free": (None, [vp]),
        "tally_pass_statistics_count": (C.c_int64, [C.c_int32, C.c_int64, C.c_int64]),
        "tally_pass_parameter_count": (C.c_int64, [C.c_int32, C.c_int64, C.c_int64]),
        "tally_partition_run": (C.c_int32, [vp, C.c_int32, _F64P, C.c_int64, _F64P, C.c_int64, _F64P, _I32P, C.POINTER(_Error)]),
        "tally_partitioned_fit_new": (vp, [C.c_char_p, C.c_char_p, C.c_int64, C.c_int64, C.POINTER(_Error)]),
        "tally_partitioned_fit_free": (None, [vp]),
        "tally_partitioned_fit_pass": (C.c_int32, [vp]),
        "tally_partitioned_fit_done": (C.c_int32, [vp]),
        "tally_partitioned_fit_parameters": (C.c_int64, [vp, _F64P, C.c_int64]),
        "tally_partitioned_fit_update": (C.c_int32, [vp, _F64P, C.c_int64, C.POINTER(_Error)]),
        "tally_partitioned_fit_iterations": (C.c_int64, [vp]),
        "tally_partitioned_fit_loss_history": (C.c_int64, [vp, _F64P, C.c_int64]),
        "tally_partitioned_fit_priors": (C.c_int32, [vp, _F64P]),
        "tally_partitioned_fit_skills": (C.c_int32, [vp, _F64P]),
        "tally_partitioned_fit_confusions": (C.c_int32, [vp, _F64P, C.POINTER(C.c_uint8)]),
        "tally_partition_glad_estep": (C.c_int32, [vp, _F64P, C.c_int64, _F64P, C.c_int64, _F64P, _I32P, C.POINTER(_Error)]),
        "tally_partition_glad_likelihood": (C.c_int32, [vp, _F64P, C.c_int64, _F64P, C.c_int64, _F64P, _I64P, _F64P,
                                                        C.POINTER(_Error)]),
        "tally_partitioned_glad_fit": (C.c_int32, [C.c_char_p, C.c_int64, C.c_int64, C.c_int64, C.c_int64, _GLAD_CALLBACK, vp,
                                                   _F64P, _F64P, _F64P, C.c_int64, _I64P, C.POINTER(_Error)]),
    }
    for name, (res, args) in sigs.items():
        f = getattr(L, name)
        f.restype = res
        f.argtypes = args
    return L


def _string(call) -> str:
    n = call(None, 0)
    if n < 0:
        return ""
    buf = C.create_string_buffer(int(n) + 1)
    call(buf, n + 1)
    return buf.value.decode("utf-8")


def raise_for(err: _Error) -> None:
    message = err.message.decode("utf-8", "replace")
    if err.code in (TALLY_ERROR_INPUT, TALLY_ERROR_AGGREGATION):
        raise ValueError(message)
    if err.code == TALLY_ERROR_IO:
        raise OSError(message)
    raise TallyError(message)


def methods() -> List[Dict[str, Any]]:
    """Every registry method as the library describes it."""
    L = lib()
    return [json.loads(_string(lambda b, n, i=i: L.tally_method_json(i, b, n))) for i in range(L.tally_method_count())]


class NameTable:
    """A tally_names over a list of strings (keeps its buffers alive)."""

    def __init__(self, names: Optional[Sequence[str]], count: Optional[int] = None):
        if names is None:
            self.struct = _Names(int(count or 0), None, None)
            return
        encoded = [str(n).encode("utf-8") for n in names]
        lengths = np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded))
        self.offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum(lengths, out=self.offsets[1:])
        self.bytes = b"".join(encoded)
        self.struct = _Names(len(encoded), self.bytes, self.offsets.ctypes.data_as(_I64P))


def _i32(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a, dtype=np.int32)


def _p32(a: np.ndarray):
    return a.ctypes.data_as(_I32P)


class FitResult:
    """What one fit returned, copied out of the library into numpy arrays."""

    def __init__(self, handle: int):
        L = lib()
        try:
            self.tasks = int(L.tally_result_task_count(handle))
            self.workers = int(L.tally_result_worker_count(handle))
            k = self.k = int(L.tally_result_label_count(handle))
            it = int(L.tally_result_iterations(handle))
            self.iterations = None if it < 0 else it
            self.label_order = np.empty(k, dtype=np.int32)
            L.tally_result_label_order(handle, _p32(self.label_order))
            self.labels = np.empty(self.tasks, dtype=np.int32)
            L.tally_result_labels(handle, _p32(self.labels))
            self.probabilities = np.empty((self.tasks, k), dtype=np.float64)
            L.tally_result_probabilities(handle, self.probabilities.ctypes.data_as(_F64P))
            self.skills = None
            if L.tally_result_skills(handle, None):
                self.skills = np.empty(self.workers, dtype=np.float64)
                L.tally_result_skills(handle, self.skills.ctypes.data_as(_F64P))
            self.priors = None
            if L.tally_result_priors(handle, None):
                self.priors = np.empty(k, dtype=np.float64)
                L.tally_result_priors(handle, self.priors.ctypes.data_as(_F64P))
            n = int(L.tally_result_loss_history(handle, None, 0))
            self.loss_history = None
            if n >= 0:
                loss = np.empty(n, dtype=np.float64)
                L.tally_result_loss_history(handle, loss.ctypes.data_as(_F64P), n)
                self.loss_history = loss
            self.confusions = self.observed = None
            if L.tally_result_confusions(handle, None, None):
                self.confusions = np.empty((self.workers, k, k), dtype=np.float64)
                self.observed = np.empty((self.workers, k), dtype=np.uint8)
                L.tally_result_confusions(handle, self.confusions.ctypes.data_as(_F64P),
                                          self.observed.ctypes.data_as(C.POINTER(C.c_uint8)))
            self.tables: Dict[str, Dict[str, Any]] = {}
            for i in range(int(L.tally_result_table_count(handle))):
                info = json.loads(_string(lambda b, n, i=i: L.tally_result_table_json(handle, i, b, n)))
                values = np.empty((int(info["row_count"]), len(info["columns"])), dtype=np.float64)
                L.tally_result_table_values(handle, i, values.ctypes.data_as(_F64P))
                info["values"] = values
                self.tables[info["name"]] = info
            self.notes = _string(lambda b, n: L.tally_result_notes(handle, b, n))
        finally:
            L.tally_result_free(handle)


def fit(method: str, options: Dict[str, Any], task: np.ndarray, worker: np.ndarray, label: np.ndarray,
        task_names: Optional[Sequence[str]], worker_names: Sequence[str], label_names: Sequence[str],
        n_tasks: int, gold: Optional[tuple] = None, weights: Optional[tuple] = None,
        initial: Optional[tuple] = None) -> FitResult:
    """Calls tally_fit on factorised answers. gold = (task codes, label codes, label names);
    weights = (worker codes, values); initial = (worker, answer, truth codes, values)."""
    L = lib()
    task, worker, label = _i32(task), _i32(worker), _i32(label)
    tn, wn, ln = NameTable(task_names, n_tasks), NameTable(worker_names), NameTable(label_names)
    answers = _Answers(len(task), _p32(task), _p32(worker), _p32(label), tn.struct, wn.struct, ln.struct)
    inputs = _Inputs()
    keep: List[Any] = []
    if gold is not None and len(gold[0]):
        gt, gl = _i32(gold[0]), _i32(gold[1])
        gn = NameTable(gold[2])
        keep += [gt, gl, gn]
        inputs.gold_count, inputs.gold_task, inputs.gold_label, inputs.gold_labels = len(gt), _p32(gt), _p32(gl), gn.struct
    if weights is not None and len(weights[0]):
        ww, wv = _i32(weights[0]), np.ascontiguousarray(weights[1], dtype=np.float64)
        keep += [ww, wv]
        inputs.weight_count, inputs.weight_worker, inputs.weight_value = len(ww), _p32(ww), wv.ctypes.data_as(_F64P)
    if initial is not None and len(initial[0]):
        iw, ia, it = _i32(initial[0]), _i32(initial[1]), _i32(initial[2])
        iv = np.ascontiguousarray(initial[3], dtype=np.float64)
        keep += [iw, ia, it, iv]
        inputs.initial_count = len(iw)
        inputs.initial_worker, inputs.initial_answer, inputs.initial_truth = _p32(iw), _p32(ia), _p32(it)
        inputs.initial_value = iv.ctypes.data_as(_F64P)
    err = _Error()
    handle = L.tally_fit(method.encode(), json.dumps(options).encode(), C.byref(answers), C.byref(inputs), C.byref(err))
    if not handle:
        raise_for(err)
    return FitResult(handle)


def read_answers(path: str, options: Dict[str, Any]):
    """(task codes, worker codes, label codes, task names, worker names, label names) of a file."""
    L = lib()
    err = _Error()
    h = L.tally_read_answers(os.fsencode(path), json.dumps(options).encode(), C.byref(err))
    if not h:
        raise_for(err)
    try:
        counts = np.empty(4, dtype=np.int64)
        L.tally_table_counts(h, counts.ctypes.data_as(_I64P))
        n = int(counts[0])
        cols = [np.empty(n, dtype=np.int32) for _ in range(3)]
        L.tally_table_codes(h, *[_p32(c) for c in cols])
        names = []
        for which in range(3):
            count = int(counts[which + 1])
            offsets = np.empty(count + 1, dtype=np.int64)
            size = L.tally_table_names(h, which, None, 0, offsets.ctypes.data_as(_I64P))
            buf = C.create_string_buffer(int(size) + 1)
            L.tally_table_names(h, which, buf, size + 1, offsets.ctypes.data_as(_I64P))
            raw = buf.raw[:size]
            names.append([raw[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(count)])
        return (*cols, *names)
    finally:
        L.tally_table_free(h)


def evaluate(pred_task, pred_label, gold_task, gold_label, task_names, label_names) -> np.ndarray:
    """[accuracy, macro-F1, scored, gold tasks]."""
    L = lib()
    pt, pl, gt, gl = _i32(pred_task), _i32(pred_label), _i32(gold_task), _i32(gold_label)
    tn, ln = NameTable(task_names), NameTable(label_names)
    out = np.empty(4, dtype=np.float64)
    err = _Error()
    if L.tally_evaluate(len(pt), _p32(pt), _p32(pl), len(gt), _p32(gt), _p32(gl), C.byref(tn.struct), C.byref(ln.struct),
                        out.ctypes.data_as(_F64P), C.byref(err)) != 0:
        raise_for(err)
    return out


def _f64(a: np.ndarray):
    return a.ctypes.data_as(_F64P)


class Partition:
    """A partition of whole tasks for a partitioned fit (tally_partition_*): local task codes,
    global worker and label codes."""

    def __init__(self, task: np.ndarray, worker: np.ndarray, label: np.ndarray, tasks: int, workers: int, labels: int):
        L = lib()
        task, worker, label = _i32(task), _i32(worker), _i32(label)
        err = _Error()
        self._h = L.tally_partition_new(len(task), _p32(task), _p32(worker), _p32(label), tasks, workers, labels, C.byref(err))
        if not self._h:
            raise_for(err)
        self.tasks, self.workers, self.labels, self.answers = int(tasks), int(workers), int(labels), len(task)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _lib is not None:
            _lib.tally_partition_free(h)

    def run(self, pass_: int, parameters: np.ndarray, posteriors: bool = False):
        """(statistics, posteriors or None, labels or None) of one pass."""
        L = lib()
        params = np.ascontiguousarray(parameters, dtype=np.float64)
        stats = np.empty(int(L.tally_pass_statistics_count(pass_, self.workers, self.labels)), dtype=np.float64)
        post = np.empty((self.tasks, self.labels), dtype=np.float64) if posteriors else None
        labels = np.empty(self.tasks, dtype=np.int32) if posteriors else None
        err = _Error()
        if L.tally_partition_run(self._h, pass_, _f64(params), len(params), _f64(stats), len(stats),
                                 _f64(post) if post is not None else None, _p32(labels) if labels is not None else None,
                                 C.byref(err)) != 0:
            raise_for(err)
        return stats, post, labels

    def glad_estep(self, alphas: np.ndarray, betas: np.ndarray, labels: bool = False):
        """GLAD's E-step: (posteriors tasks×K, first-max labels or None) from every worker's
        ability and this partition's task parameters (local task order)."""
        a = np.ascontiguousarray(alphas, dtype=np.float64)
        b = np.ascontiguousarray(betas, dtype=np.float64)
        post = np.empty((self.tasks, self.labels), dtype=np.float64)
        lab = np.empty(self.tasks, dtype=np.int32) if labels else None
        err = _Error()
        if lib().tally_partition_glad_estep(self._h, _f64(a), len(a), _f64(b), len(b), _f64(post),
                                            _p32(lab) if lab is not None else None, C.byref(err)) != 0:
            raise_for(err)
        return post, lab

    def glad_likelihood(self, alphas: np.ndarray, betas: np.ndarray, posteriors: np.ndarray):
        """(partial, β-gradient per task) of this partition: ``partial`` holds the likelihood part
        and the α-gradient per worker as exact sums, 4 + 3·workers int64 limbs (tally.h) that add
        up element-wise (``+`` on int64 arrays, in any order) to the same bits."""
        a = np.ascontiguousarray(alphas, dtype=np.float64)
        b = np.ascontiguousarray(betas, dtype=np.float64)
        p = np.ascontiguousarray(posteriors, dtype=np.float64)
        partial = np.zeros(4 + 3 * self.workers, dtype=np.int64)
        gb = np.empty(self.tasks, dtype=np.float64)
        err = _Error()
        if lib().tally_partition_glad_likelihood(self._h, _f64(a), len(a), _f64(b), len(b), _f64(p),
                                                 partial.ctypes.data_as(_I64P), _f64(gb), C.byref(err)) != 0:
            raise_for(err)
        return partial, gb


def partitioned_glad_fit(options: Dict[str, Any], workers: int, tasks: int, labels: int, answers: int,
                         e_step: Callable[[np.ndarray], None], likelihood: Callable[[np.ndarray, np.ndarray, np.ndarray], None]) -> Dict[str, Any]:
    """GLAD's EM on the driver (tally_partitioned_glad_fit). ``e_step(x)``: the partitions' next
    E-step uses x. ``likelihood(x, partial, gradient)``: adds the partitions' partials (from
    :meth:`Partition.glad_likelihood`) into ``partial`` (int64, zeroed on entry; any order) and
    writes task t's β-gradient at ``gradient[workers + t]``. An exception in either is re-raised.
    Returns x, estep_x, loss_history, iterations, m_step_iterations, evaluations, line_search_failures."""
    L = lib()
    n = workers + tasks
    failures: List[BaseException] = []

    def callback(_context, kind, x_ptr, count, partial_ptr, gradient_ptr):
        try:
            x = np.ctypeslib.as_array(x_ptr, (count,)).copy()
            if kind == 0:
                e_step(x)
            else:
                likelihood(x, np.ctypeslib.as_array(partial_ptr, (4 + 3 * workers,)), np.ctypeslib.as_array(gradient_ptr, (count,)))
            return 0
        except BaseException as e:  # noqa: BLE001 - re-raised after the native call returns
            failures.append(e)
            return 1

    c_callback = _GLAD_CALLBACK(callback)
    x, estep_x = np.empty(n, dtype=np.float64), np.empty(n, dtype=np.float64)
    capacity = max(int(options.get("max-iterations", 100)), 1)
    loss = np.empty(capacity, dtype=np.float64)
    counts = np.zeros(4, dtype=np.int64)
    err = _Error()
    r = L.tally_partitioned_glad_fit(json.dumps(options).encode(), workers, tasks, labels, answers, c_callback, None,
                                     _f64(x), _f64(estep_x), _f64(loss), capacity, counts.ctypes.data_as(_I64P), C.byref(err))
    if failures:
        raise failures[0]
    if r != 0:
        raise_for(err)
    return {"x": x, "estep_x": estep_x, "loss_history": loss[:int(counts[0])].copy(), "iterations": int(counts[0]),
            "m_step_iterations": int(counts[1]), "evaluations": int(counts[2]), "line_search_failures": int(counts[3])}


class PartitionedFit:
    """The driver's side of a partitioned fit (tally_partitioned_fit_*)."""

    def __init__(self, method: str, options: Dict[str, Any], workers: int, labels: int):
        L = lib()
        err = _Error()
        self._h = L.tally_partitioned_fit_new(method.encode(), json.dumps(options).encode(), workers, labels, C.byref(err))
        if not self._h:
            raise_for(err)
        self.workers, self.labels = int(workers), int(labels)

    def __del__(self):
        h, self._h = getattr(self, "_h", None), None
        if h and _lib is not None:
            _lib.tally_partitioned_fit_free(h)

    @property
    def pass_(self) -> int:
        return int(lib().tally_partitioned_fit_pass(self._h))

    @property
    def done(self) -> bool:
        return bool(lib().tally_partitioned_fit_done(self._h))

    def parameters(self) -> np.ndarray:
        L = lib()
        n = int(L.tally_partitioned_fit_parameters(self._h, None, 0))
        out = np.empty(n, dtype=np.float64)
        L.tally_partitioned_fit_parameters(self._h, _f64(out), n)
        return out

    def update(self, statistics: np.ndarray) -> bool:
        """Takes the summed statistics; True when another pass follows."""
        s = np.ascontiguousarray(statistics, dtype=np.float64)
        err = _Error()
        r = lib().tally_partitioned_fit_update(self._h, _f64(s), len(s), C.byref(err))
        if r < 0:
            raise_for(err)
        return r == 1

    def iterations(self) -> Optional[int]:
        n = int(lib().tally_partitioned_fit_iterations(self._h))
        return None if n < 0 else n

    def loss_history(self) -> Optional[np.ndarray]:
        L = lib()
        n = int(L.tally_partitioned_fit_loss_history(self._h, None, 0))
        if n < 0:
            return None
        out = np.empty(n, dtype=np.float64)
        L.tally_partitioned_fit_loss_history(self._h, _f64(out), n)
        return out

    def priors(self) -> Optional[np.ndarray]:
        out = np.empty(self.labels, dtype=np.float64)
        return out if lib().tally_partitioned_fit_priors(self._h, _f64(out)) else None

    def skills(self) -> Optional[np.ndarray]:
        out = np.empty(self.workers, dtype=np.float64)
        return out if lib().tally_partitioned_fit_skills(self._h, _f64(out)) else None

    def confusions(self):
        """(values W×K×K [worker, answered, truth], observed W×K) or None."""
        values = np.empty((self.workers, self.labels, self.labels), dtype=np.float64)
        observed = np.empty((self.workers, self.labels), dtype=np.uint8)
        if not lib().tally_partitioned_fit_confusions(self._h, _f64(values), observed.ctypes.data_as(C.POINTER(C.c_uint8))):
            return None
        return values, observed.astype(bool)
