#!/usr/bin/python3
"""The Debian package: cpack -G DEB from the build tree, its control fields and file list,
then dpkg -i / dpkg -r into a scratch root (dpkg --root: its own dpkg database, nothing of
this machine's /usr touched, so it runs beside other tests and other builds), the installed
/usr/bin/mcsim and Python package used from there, and nothing left after removal.

Every Depends is checked against this machine's dpkg database (installed, version
satisfied); installing into a real bookworm system with apt resolving the Depends is
scripts/deb-chroot-test.sh (docs/packaging.md).

usage: deb_test.py BUILD_DIR WORK_DIR
"""
import functools
import pathlib
import re
import shutil
import sys

import checks
from checks import check, finish

run = functools.partial(checks.run, timeout=300)  # cpack and dpkg take longer than the default

build, work = (pathlib.Path(a).resolve() for a in sys.argv[1:3])
for tool in ["cpack", "dpkg", "dpkg-deb", "dpkg-shlibdeps"]:
    if not shutil.which(tool):
        sys.exit(f"{tool} not found (scripts/setup.sh installs dpkg-dev and cmake)")

shutil.rmtree(work, ignore_errors=True)
r = run("cpack", "-G", "DEB", "-B", work / "out", "--config", build / "CPackConfig.cmake")
if r.returncode:
    sys.exit(f"cpack -G DEB failed ({r.returncode}):\n{r.stdout[-3000:]}{r.stderr[-3000:]}")
debs = list((work / "out").glob("*.deb"))
if len(debs) != 1:
    sys.exit(f"expected one .deb in {work / 'out'}, found {debs}")
deb = debs[0]
cache = (build / "CMakeCache.txt").read_text()
version = re.search(r"^CMAKE_PROJECT_VERSION:STATIC=(.*)$", cache, re.M).group(1)
arch = run("dpkg", "--print-architecture").stdout.strip()
check(deb.name == f"mcsim_{version}_{arch}.deb", f"package file name {deb.name}")

# ---- control fields ----
fields = {}
for line in run("dpkg-deb", "-f", deb).stdout.splitlines():
    k, _, v = line.partition(": ")
    fields[k] = v
check(fields.get("Package") == "mcsim" and fields.get("Version") == version and fields.get("Architecture") == arch,
      f"Package/Version/Architecture: {fields}")
depends = [d.strip() for d in fields.get("Depends", "").split(",") if d.strip()]
names = {re.match(r"[a-z0-9.+-]+", d).group(0) for d in depends}
# dpkg-shlibdeps from the ELF files: mcsim links libpcap, yaml-cpp, libstdc++, libgcc, libc.
for need in ["libc6", "libgcc-s1", "libstdc++6", "libpcap0.8", "libyaml-cpp0.7"]:
    check(need in names, f"Depends names {need}: {fields.get('Depends')}")
has_python = "_core" in cache and "python_deb" in (build / "CPackConfig.cmake").read_text()
if has_python:
    py = run("/usr/bin/python3", "-c", "import sys; print('%d.%d %d.%d' % (sys.version_info[:2] + (sys.version_info[0], sys.version_info[1] + 1)))").stdout.split()
    check(f"python3 (>= {py[0]})" in depends and f"python3 (<< {py[1]})" in depends,
          f"Depends bounds python3 to the extension's {py[0]}: {depends}")
# Every dependency is satisfied by what this machine has installed.
for d in depends:
    m = re.fullmatch(r"([a-z0-9.+-]+)(?: \((<<|<=|=|>=|>>) ([^)]+)\))?", d)
    check(m is not None, f"Depends entry {d!r} parses")
    if not m:
        continue
    q = run("dpkg-query", "-W", "-f=${Status} ${Version}", m.group(1))
    installed = q.returncode == 0 and q.stdout.startswith("install ok installed")
    ok = installed and (not m.group(2) or run("dpkg", "--compare-versions", q.stdout.split()[-1],
                                               {"<<": "lt", "<=": "le", "=": "eq", ">=": "ge", ">>": "gt"}[m.group(2)],
                                               m.group(3)).returncode == 0)
    check(ok, f"dependency {d} satisfied on this machine ({q.stdout.strip() or 'not installed'})")

# ---- file list ----
# "perms owner size date time path" or "... path -> target" for a symbolic link
files = {line.split(" -> ")[0].split()[-1] for line in run("dpkg-deb", "-c", deb).stdout.splitlines()}
check(all(f.startswith("./usr/") or f == "./" for f in files), f"everything under /usr: {sorted(f for f in files if not f.startswith('./usr/'))}")
want = ["./usr/bin/mcsim", "./usr/share/man/man1/mcsim.1.gz", "./usr/share/bash-completion/completions/mcsim",
        "./usr/share/mcsim/scenarios/default.yaml", "./usr/share/mcsim/scenarios/captures/linux-join-leave.pcap",
        "./usr/lib/cmake/mcsim/mcsimConfig.cmake", "./usr/lib/pkgconfig/mcsim.pc", "./usr/lib/pkgconfig/mcsim-static.pc",
        "./usr/include/mcsim/stack/addr.hpp"]
shared = "MCSIM_BUILD_SHARED:BOOL=ON" in cache
for lib in ["stack", "pcap", "sim"]:
    want.append(f"./usr/lib/libmcsim_{lib}.a")
    if shared:  # the real file, the SONAME link and the development link
        want += [f"./usr/lib/libmcsim_{lib}.so.{version}", f"./usr/lib/libmcsim_{lib}.so.{version.rsplit('.', 1)[0]}",
                 f"./usr/lib/libmcsim_{lib}.so"]
if has_python:
    want += ["./usr/lib/python3/dist-packages/mcsim/__init__.py"]
    check(any(re.fullmatch(r"\./usr/lib/python3/dist-packages/mcsim/_core\.cpython-3\d+-[a-z0-9_]+-linux-gnu\.so", f) for f in files),
          "the extension in /usr/lib/python3/dist-packages/mcsim")
    check(not any("site-packages" in f or re.search(r"/python3\.\d+/", f) for f in files),
          "no copy of the Python package outside /usr/lib/python3/dist-packages")
for f in want:
    check(f in files, f"package contains {f}")

# ---- control files: ldconfig through the trigger, no maintainer script doing anything ----
ctl = work / "control"
run("dpkg-deb", "-e", deb, ctl)
if shared:
    trig = [ln.split("#")[0].strip() for ln in (ctl / "triggers").read_text().splitlines()] \
        if (ctl / "triggers").is_file() else []
    check([t for t in trig if t] == ["activate-noawait ldconfig"], f"DEBIAN/triggers: {trig}")
    for script in ["postinst", "postrm"]:
        body = [ln for ln in (ctl / script).read_text().splitlines() if ln.strip() and not ln.startswith("#")]
        check(body == ["set -e", "exit 0"], f"DEBIAN/{script} does nothing (no ldconfig call): {body}")

# ---- dpkg -i into a scratch root, use it, dpkg -r ----
root = work / "root"
admin = root / "var/lib/dpkg"
for d in ["info", "updates", "triggers"]:
    (admin / d).mkdir(parents=True)
for f in ["status", "available"]:
    (admin / f).write_text("")
# Depends: checked above. The (empty) maintainer scripts run outside the scratch root, which
# has no shell.
dpkg = ["dpkg", f"--root={root}", "--force-depends", "--force-not-root", "--force-script-chrootless"]
r = run(*dpkg, "-i", deb)
check(r.returncode == 0, f"dpkg -i: {r.stderr[-1000:]}")
st = run(*dpkg, "-s", "mcsim").stdout
check("Status: install ok installed" in st, f"dpkg -s mcsim after -i: {st[:200]!r}")
usr = root / "usr"
r = run(usr / "bin/mcsim", "--help")
check(r.returncode == 0 and r.stdout.startswith("usage: mcsim <command>"), f"installed mcsim --help: {r.returncode}")
r = run(usr / "bin/mcsim", "run", usr / "share/mcsim/scenarios/default.yaml")
check(r.returncode == 0 and r.stdout.endswith(": 10 passed, 0 failed\n"), f"installed mcsim run default.yaml: {r.stdout[-200:]!r}")
r = run(usr / "bin/mcsim", "decode", "--format", "jsonl", usr / "share/mcsim/scenarios/captures/linux-join-leave.pcap")
check(r.returncode == 0 and len(r.stdout.splitlines()) == 28, f"installed mcsim decode: {r.returncode} {r.stderr!r}")
if shared:
    # A program built against the installed shared libraries runs with them (found through
    # LD_LIBRARY_PATH here, as the dynamic linker finds /usr/lib on a real system).
    lib = usr / "lib"
    for name in ["stack", "pcap", "sim"]:
        d = run("readelf", "-d", lib / f"libmcsim_{name}.so").stdout
        check(f"Library soname: [libmcsim_{name}.so.{version.rsplit('.', 1)[0]}]" in d,
              f"installed libmcsim_{name}.so SONAME: {[ln for ln in d.splitlines() if 'SONAME' in ln]}")
    src = pathlib.Path(__file__).resolve().parent / "main.cpp"
    exe = work / "deb-consumer"
    r = run("c++", "-std=c++20", src, "-o", exe, f"-I{usr / 'include/mcsim'}", f"-L{lib}", "-lmcsim_sim",
            "-lmcsim_pcap", "-lmcsim_stack")
    check(r.returncode == 0, f"c++ main.cpp against the packaged shared libraries: {r.stderr[-1500:]}")
    if r.returncode == 0:
        env = {"LD_LIBRARY_PATH": str(lib)}
        ldd = run("ldd", exe, env=env).stdout
        check(f"libmcsim_sim.so.{version.rsplit('.', 1)[0]} => {lib}/" in ldd, f"ldd: the packaged libmcsim_sim: {ldd}")
        r = run(exe, env=env)
        check(r.returncode == 0 and r.stdout == "consumer: 7 events, 0 failures\n", f"deb consumer: {r.stdout!r} {r.stderr!r}")
if has_python:
    pydir = usr / "lib/python3/dist-packages"
    r = run("/usr/bin/python3", "-c", "import mcsim, mcsim._core; print(mcsim.__file__)",
            env={"PYTHONPATH": str(pydir)}, cwd=work)
    check(r.returncode == 0 and r.stdout.strip() == str(pydir / "mcsim/__init__.py"),
          f"python3 imports the packaged mcsim: {r.stdout!r} {r.stderr[-500:]!r}")
r = run(*dpkg, "-r", "mcsim")
check(r.returncode == 0, f"dpkg -r: {r.stderr[-1000:]}")
st = run(*dpkg, "-s", "mcsim")
check("Status: install ok installed" not in st.stdout, "dpkg -s mcsim after -r")
left = sorted(str(p.relative_to(root)) for p in root.rglob("*") if not str(p.relative_to(root)).startswith("var"))
check(left == [], f"left after dpkg -r: {left[:20]}")

print(f"{deb.name}: {deb.stat().st_size} bytes, {len(files)} entries, Depends: {fields.get('Depends')}")
finish()
