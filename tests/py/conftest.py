"""Shared fixtures: where the mcsim binary and the shared reference material are."""
import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _bin_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MCSIM_BIN_DIR", ROOT / "build" / "bin"))


def _shared_dir() -> pathlib.Path:
    return pathlib.Path(os.environ.get("MCSIM_SHARED_DIR", ROOT.parent / "shared"))


@pytest.fixture(scope="session")
def mcsim_bin() -> pathlib.Path:
    exe = _bin_dir() / "mcsim"
    if not exe.exists():
        pytest.fail(f"{exe} not built (set MCSIM_BIN_DIR or build first)")
    return exe


@pytest.fixture(scope="session")
def shared_pcaps() -> pathlib.Path:
    d = _shared_dir() / "pcaps"
    if not d.is_dir():
        pytest.skip(f"shared captures not found at {d} (../shared is absent): reference-decode tests skipped")
    return d
