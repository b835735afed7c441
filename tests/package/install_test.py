#!/usr/bin/python3
"""cmake --install into a scratch prefix, then use what was installed the way a user would:
the man page found by `man` through MANPATH, the bash completion loaded by bash-completion's
on-demand loader from XDG_DATA_DIRS, the Python package imported by /usr/bin/python3 with
PYTHONPATH at the prefix, the CLI on the installed scenario and capture, pkg-config.

usage: install_test.py BUILD_DIR SOURCE_DIR WORK_DIR
"""
import gzip
import os
import pathlib
import re
import shutil
import sys

from checks import check, finish, run


build, source, work = (pathlib.Path(a).resolve() for a in sys.argv[1:4])
prefix = work / "prefix"
shutil.rmtree(work, ignore_errors=True)
r = run("cmake", "--install", build, "--prefix", prefix)
if r.returncode:
    sys.exit(f"cmake --install failed ({r.returncode}): {r.stderr}")

cache = (build / "CMakeCache.txt").read_text()
m = re.search(r"^MCSIM_PYTHON_INSTALL_DIR:PATH=(.*)$", cache, re.M)
pydir = prefix / m.group(1) if m else None
scen = prefix / "share/mcsim/scenarios"
for f in ["bin/mcsim", "share/man/man1/mcsim.1.gz", "share/bash-completion/completions/mcsim",
          "share/mcsim/scenarios/default.yaml", "share/mcsim/scenarios/captures/linux-join-leave.pcap"]:
    check((prefix / f).is_file(), f"installed file {f}")

# Man page: the installed one is docs/mcsim.1, and `man` finds it by name through MANPATH.
man = prefix / "share/man/man1/mcsim.1.gz"
check(gzip.decompress(man.read_bytes()) == (source / "docs/mcsim.1").read_bytes(),
      "share/man/man1/mcsim.1.gz is docs/mcsim.1")
r = run("man", "-w", "mcsim", env={"MANPATH": str(prefix / "share/man")})
check(r.stdout.strip() == str(man), f"man -w mcsim with MANPATH at the prefix: {r.stdout!r} {r.stderr!r}")
r = run("man", "mcsim", env={"MANPATH": str(prefix / "share/man"), "MANPAGER": "cat", "MANWIDTH": "80"})
check(r.returncode == 0 and r.stderr == "" and "mcsim validate FILE --role router|host" in r.stdout,
      f"man mcsim renders the SYNOPSIS: rc {r.returncode} {r.stderr!r}")

# Bash completion: bash-completion's loader finds share/bash-completion/completions/mcsim
# under XDG_DATA_DIRS, as it does under /usr/share for the Debian package.
r = run("bash", "--norc", "--noprofile", "-c",
        "source /usr/share/bash-completion/bash_completion; _completion_loader mcsim; complete -p mcsim",
        env={"XDG_DATA_DIRS": str(prefix / "share"), "BASH_COMPLETION_USER_DIR": str(work / "none")})
check(r.stdout.strip() == "complete -F _mcsim mcsim", f"bash-completion loads the installed completion: {r.stdout!r} {r.stderr!r}")

# Python: /usr/bin/python3 imports the installed package (not build/python) and runs the
# installed default scenario; its expectations hold (the same 10 as `mcsim run`).
check(pydir is not None and (pydir / "mcsim/__init__.py").is_file()
      and any((pydir / "mcsim").glob("_core.cpython-*.so")), f"Python package installed in {pydir}")
code = ("import sys, mcsim, mcsim._core\n"
        "sc = mcsim.Scenario.load(sys.argv[1]); sim = mcsim.Simulation(sc); sim.run()\n"
        "print(mcsim.__file__); print(len(sim.results), sim.failures)\n")
r = run("/usr/bin/python3", "-c", code, scen / "default.yaml", env={"PYTHONPATH": str(pydir)}, cwd=work)
lines = r.stdout.split("\n")
check(r.returncode == 0 and lines[0] == str(pydir / "mcsim/__init__.py") and lines[1] == "10 0",
      f"python3 imports mcsim from the prefix and runs default.yaml: {r.stdout!r} {r.stderr[-500:]!r}")

# The installed CLI on the installed files.
mcsim = prefix / "bin/mcsim"
r = run(mcsim, "run", scen / "default.yaml")
check(r.returncode == 0 and r.stdout.endswith("querier, snooping switch, v3 and v2 hosts, data: 10 passed, 0 failed\n"),
      f"installed mcsim run default.yaml: rc {r.returncode} {r.stdout[-200:]!r}")
r = run(mcsim, "decode", scen / "captures/linux-join-leave.pcap")
# The Linux kernel's IGMPv3 join of 239.1.1.1 (scripts/make-linux-capture.sh): TO_EX {}, RFC 9776 §5.1.
check(r.returncode == 0 and len(r.stdout.splitlines()) == 28
      and "10.99.0.2 → 224.0.0.22 IGMPv3 Membership Report: TO_EX 239.1.1.1 {}" in r.stdout,
      f"installed mcsim decode linux-join-leave.pcap: rc {r.returncode} {r.stdout[:200]!r}")

# pkg-config: the relocatable mcsim.pc points at the installed headers and libraries;
# tests/package/main.cpp compiles and links with nothing but its flags, against the shared
# libraries (found at run time through LD_LIBRARY_PATH: the prefix is not a system
# directory), and statically through mcsim-static.pc (docs/packaging.md).
shared = "MCSIM_BUILD_SHARED:BOOL=ON" in cache
soversion = re.search(r"^CMAKE_PROJECT_VERSION:STATIC=(\d+\.\d+)", cache, re.M).group(1)
pcs = list(prefix.glob("lib*/**/pkgconfig/mcsim.pc"))
check(len(pcs) == 1 and (pcs[0].parent / "mcsim-static.pc").is_file(), "one mcsim.pc, and mcsim-static.pc")
if pcs:
    env = {"PKG_CONFIG_PATH": str(pcs[0].parent)}
    r = run("pkg-config", "--cflags-only-I", "--libs-only-L", "mcsim", env=env)
    inc = [pathlib.Path(t[2:]) for t in r.stdout.split() if t.startswith("-I") and t.endswith("include/mcsim")]
    lib = [pathlib.Path(t[2:]) for t in r.stdout.split() if t.startswith("-L")]
    check(r.returncode == 0 and len(inc) == 1 and (inc[0] / "stack/addr.hpp").is_file()
          and len(lib) == 1 and (lib[0] / "libmcsim_stack.a").is_file(),
          f"pkg-config --cflags --libs mcsim at the prefix: {r.stdout!r} {r.stderr!r}")
    libdir = lib[0] if lib else prefix / "lib"
    flags = run("pkg-config", "--cflags", "--libs", "mcsim", env=env).stdout.split()
    exe = work / "pc-consumer"
    r = run(os.environ.get("CXX", "c++"), source / "tests/package/main.cpp", "-o", exe, *flags)
    check(r.returncode == 0, f"c++ main.cpp $(pkg-config --cflags --libs mcsim): {r.stderr[-1500:]}")
    if r.returncode == 0:
        runenv = {"LD_LIBRARY_PATH": str(libdir)}
        r = run(exe, env=runenv)
        check(r.returncode == 0 and r.stdout == "consumer: 7 events, 0 failures\n", f"pkg-config consumer: {r.stdout!r}")
        if shared:
            ldd = run("ldd", exe, env=runenv).stdout
            check(f"libmcsim_sim.so.{soversion} => {libdir}/libmcsim_sim.so.{soversion}" in ldd,
                  f"the pkg-config consumer loads the installed shared libmcsim_sim: {ldd}")
    # Static: mcsim-static.pc names the archives, and libpcap/yaml-cpp as usual.
    static = run("pkg-config", "--cflags", "--libs", "mcsim-static", env=env).stdout.split()
    exe = work / "pc-consumer-static"
    r = run(os.environ.get("CXX", "c++"), source / "tests/package/main.cpp", "-o", exe, *static)
    check(r.returncode == 0, f"c++ main.cpp $(pkg-config --cflags --libs mcsim-static): {r.stderr[-1500:]}")
    if r.returncode == 0:
        r = run(exe)
        needed = run("readelf", "-d", exe).stdout
        check(r.returncode == 0 and r.stdout == "consumer: 7 events, 0 failures\n" and "libmcsim" not in needed,
              f"static pkg-config consumer runs without libmcsim_*.so: {r.stdout!r}")

finish()
