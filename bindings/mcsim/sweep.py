"""Parameter sweeps: many independent simulations on any concurrent.futures-style executor."""
from __future__ import annotations

import itertools
import os
import time
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from .simulation import Scenario, Simulation

#: Parameters a sweep may vary (Simulation options).
SWEEP_PARAMS = ("until", "profile")


def run_one(scenario: Scenario, seed: Optional[int], params: Dict[str, Any]) -> Dict[str, Any]:
    """Runs one simulation and summarises it as a plain row (picklable; used by sweep())."""
    t0 = time.perf_counter()
    row: Dict[str, Any] = {"seed": seed if seed is not None else scenario.seed, "params": dict(params)}
    row.update(params)
    try:
        sim = Simulation(scenario, seed=seed, **params)
        sim.run()
        counts = sim.event_counts()
        results = sim.results
        row.update(passed=sum(1 for r in results if r["passed"]), failed=sim.failures,
                   ok=sim.failures == 0 and not sim.error, tx=counts.get("tx", 0), sockopt=counts.get("sockopt", 0),
                   deliver=counts.get("deliver", 0), events=sum(counts.values()), end=sim.now, error=sim.error)
    except Exception as e:  # one bad point must not lose the sweep
        row.update(passed=0, failed=0, ok=False, tx=0, sockopt=0, deliver=0, events=0, end=0.0,
                   error=f"{type(e).__name__}: {e}")
    row["wall_s"] = time.perf_counter() - t0
    return row


def sweep(scenario: Union[Scenario, str, os.PathLike], seeds: Iterable[Optional[int]] = (None,),
          params: Optional[Mapping[str, Sequence[Any]]] = None, executor: Any = None,
          as_frame: bool = False) -> Any:
    """Runs `scenario` for every seed × every combination of `params` values
    (e.g. {"until": ["10s", "30s"], "profile": ["windows", "linux"]}).

    `executor`: None runs sequentially; else anything with `submit(fn, *args)` returning
    futures with `.result()` — a concurrent.futures ThreadPoolExecutor/ProcessPoolExecutor
    or a dask.distributed Client. Rows come back in input order: seed, params, the params
    as columns, passed, failed, ok, tx, sockopt, deliver, events, end, error, wall_s.
    With `as_frame=True` they are a pandas DataFrame (needs pandas)."""
    if not isinstance(scenario, Scenario):
        scenario = Scenario.load(scenario)
    params = dict(params or {})
    for k in params:
        if k not in SWEEP_PARAMS:
            raise ValueError(f"sweep: unknown parameter {k!r}; valid: {', '.join(SWEEP_PARAMS)}")
    keys = list(params)
    points = [dict(zip(keys, vals)) for vals in itertools.product(*(list(params[k]) for k in keys))]
    jobs = [(scenario, seed, p) for seed in seeds for p in points]
    if executor is None:
        rows = [run_one(*j) for j in jobs]
    else:
        futures = [executor.submit(run_one, *j) for j in jobs]
        rows = [f.result() for f in futures]
    if as_frame:
        import pandas as pd  # optional dependency

        return pd.DataFrame(rows)
    return rows
