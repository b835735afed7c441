"""mcsim from Python: load and run IGMP/MLD scenarios, build topologies in code, call
multicast socket options (errors raise SocketError with .name/.code), read host and router
state, decode/validate/compare captures, and sweep seeds and parameters on any executor.

    import mcsim
    sim = mcsim.Simulation(mcsim.Scenario.load("scenarios/seed/any-source-flow.yaml"))
    sim.run(until="30s")
    tx = [e for e in sim.events if e["event"] == "tx"]

docs/python.md is the tutorial.
"""
from __future__ import annotations

from . import _core
from ._util import to_seconds
from .capture import (HAVE_VALIDATE, CaptureError, Message, Record, compare, compare_report, decode, decode_dicts,
                      semantics, validate)
from .simulation import Host, Router, Scenario, ScenarioError, Simulation, Socket, SocketError
from .sweep import run_one, sweep

__version__ = "0.1.0"

__all__ = [
    "CaptureError", "HAVE_VALIDATE", "Host", "Message", "Record", "Router", "Scenario", "ScenarioError",
    "Simulation", "Socket", "SocketError", "compare", "compare_report", "decode", "decode_dicts", "run_one", "semantics", "sweep",
    "to_seconds", "validate",
]
