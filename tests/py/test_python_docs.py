"""docs/python.md is a runnable tutorial: its ```python blocks run in order, in one
namespace, from the repository root."""
import io
import os
import pathlib
import re
import sys
from contextlib import redirect_stdout

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "python.md"


def _python_dir() -> pathlib.Path:
    if os.environ.get("MCSIM_PYTHON_DIR"):
        return pathlib.Path(os.environ["MCSIM_PYTHON_DIR"])
    return pathlib.Path(os.environ.get("MCSIM_BIN_DIR", ROOT / "build" / "bin")).parent / "python"


def _blocks():
    text = DOC.read_text()
    return [m.group(1) for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]


def test_tutorial_blocks_run(monkeypatch):
    pydir = _python_dir()
    if not (pydir / "mcsim" / "__init__.py").exists():
        pytest.skip(f"mcsim Python package not built at {pydir} (needs pybind11)")
    monkeypatch.syspath_prepend(str(pydir))
    monkeypatch.chdir(ROOT)
    blocks = _blocks()
    assert len(blocks) >= 8, "docs/python.md lost its examples"
    ns: dict = {"__name__": "__docs__"}
    out = io.StringIO()
    for i, code in enumerate(blocks, 1):
        with redirect_stdout(out):
            try:
                exec(compile(code, f"docs/python.md block {i}", "exec"), ns)
            except Exception as e:  # name the block in the failure
                raise AssertionError(f"docs/python.md python block {i} failed: {type(e).__name__}: {e}\n{code}") from e
    printed = out.getvalue()
    assert "WSAEADDRNOTAVAIL 10049 windows" in printed
