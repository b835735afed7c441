"""Shared by the package tests (deb_test.py, install_test.py): a failed check is printed and
counted, not fatal, so one run reports every problem; finish() prints the total and exits."""
import os
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print(f"FAIL {what}")


def run(*args, env=None, timeout=120, **kw):
    """Runs a command (arguments converted to str) with os.environ updated by `env`."""
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, env=e, **kw)


def finish():
    print(f"{'FAILED' if failures else 'ok'}: {len(failures)} failed check(s)")
    sys.exit(1 if failures else 0)
