"""Scenarios and simulations: load YAML or build a topology in code, run, step, call socket
options from Python, read state and the event log (the JSONL events of `mcsim run`)."""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from . import _core
from ._util import DurationLike, duration_text, dumps, to_seconds

ScenarioError = _core.ScenarioError

#: Location name of the expectations used to read router state (hidden from events/results).
_STATE_LOC = "<state>"
_STATE_AT = "<state>"  # SourceLoc::to_string() of {"<state>", 0, 0}


class SocketError(OSError):
    """A socket call failed: `name` ("WSAEADDRNOTAVAIL"), `code` (10049), `profile`
    ("windows" | "linux") and the one-line `reason` citing the rule."""

    def __init__(self, name: str, code: int, profile: str, reason: str = "", op: str = "") -> None:
        super().__init__(code, f"{op + ': ' if op else ''}{name} ({code}): {reason}" if reason else f"{op + ': ' if op else ''}{name} ({code})")
        self.name = name
        self.code = code
        self.profile = profile
        self.reason = reason
        self.op = op

    def __reduce__(self):  # picklable (sweeps on process pools)
        return (SocketError, (self.name, self.code, self.profile, self.reason, self.op))


def _scenario_from_source(kind: str, value: str, name: str) -> "Scenario":
    return Scenario.load(value) if kind == "file" else Scenario.from_yaml(value, name=name)


class Scenario:
    """A loaded scenario (docs/scenarios.md). Read-only; pickles by its file path or text."""

    def __init__(self, core: Any, kind: str, value: str, name: str = "<string>") -> None:
        self._core = core
        self._source = (kind, value, name)

    @classmethod
    def load(cls, path: Union[str, os.PathLike]) -> "Scenario":
        """Loads a scenario file; raises ScenarioError("file:line:col: message")."""
        p = os.fspath(path)
        return cls(_core.Scenario.load(p), "file", p)

    @classmethod
    def from_yaml(cls, text: str, name: str = "<string>") -> "Scenario":
        """Loads a scenario from YAML text (`name` is the file name used in messages)."""
        return cls(_core.Scenario.from_yaml(text, name), "yaml", text, name)

    def __reduce__(self):
        return (_scenario_from_source, self._source)

    name = property(lambda self: self._core.name, doc="Title of the scenario.")
    file = property(lambda self: self._core.file, doc="File it was loaded from (or the name given).")
    seed = property(lambda self: self._core.seed, doc="Seed of every random choice.")
    profile = property(lambda self: self._core.profile, doc='Error-rule profile: "windows" or "linux".')
    until = property(lambda self: self._core.until, doc="End of the run, seconds.")
    lans = property(lambda self: self._core.lans, doc="LANs as dicts (name, mtu, latency, loss, duplicate).")
    hosts = property(lambda self: self._core.hosts, doc="Hosts as dicts (name, lan, ipv4, ipv6, igmp, mld, ...).")
    routers = property(lambda self: self._core.routers, doc="Routers as dicts (name, lan, ipv4, ipv6, igmp, mld, ...).")
    switches = property(lambda self: self._core.switches, doc="Switches as dicts (name, ports, snooping).")
    event_count = property(lambda self: self._core.event_count, doc="Number of timeline events.")
    expect_count = property(lambda self: self._core.expect_count, doc="Number of expectations.")

    def __repr__(self) -> str:
        return f"<mcsim.Scenario {self.name!r} hosts={len(self.hosts)} routers={len(self.routers)} until={self.until}s>"


def _family_v6(addr: str) -> bool:
    return ":" in addr


class Socket:
    """A socket of a host, named by a label ("A"); it opens on first use. Every call is
    performed at the simulation's current time and raises SocketError on failure."""

    def __init__(self, host: "Host", label: str) -> None:
        self.host = host
        self.label = label

    def _opt(self, op: str, group: str, source: Optional[str] = None, interface: Optional[str] = None) -> None:
        sim = self.host.sim
        core = sim._ensure()
        start = core.event_count
        result = core.apply_option(self.host.name, self.label, op, str(group),
                                   None if source is None else str(source), interface or "")
        if result != "ok":
            sim._raise_socket_error(result, op, start)

    def join(self, group: str, interface: Optional[str] = None) -> None:
        """Any-source join: IP_ADD_MEMBERSHIP (IPv4) or IPV6_ADD_MEMBERSHIP (IPv6)."""
        self._opt("IPV6_ADD_MEMBERSHIP" if _family_v6(group) else "IP_ADD_MEMBERSHIP", group, None, interface)

    def leave(self, group: str, interface: Optional[str] = None) -> None:
        """IP_DROP_MEMBERSHIP (IPv4) or IPV6_DROP_MEMBERSHIP (IPv6)."""
        self._opt("IPV6_DROP_MEMBERSHIP" if _family_v6(group) else "IP_DROP_MEMBERSHIP", group, None, interface)

    def join_source(self, group: str, source: str, interface: Optional[str] = None) -> None:
        """IP_ADD_SOURCE_MEMBERSHIP (IPv4) or MCAST_JOIN_SOURCE_GROUP (IPv6)."""
        self._opt("MCAST_JOIN_SOURCE_GROUP" if _family_v6(group) else "IP_ADD_SOURCE_MEMBERSHIP", group, source, interface)

    def leave_source(self, group: str, source: str, interface: Optional[str] = None) -> None:
        """IP_DROP_SOURCE_MEMBERSHIP (IPv4) or MCAST_LEAVE_SOURCE_GROUP (IPv6)."""
        self._opt("MCAST_LEAVE_SOURCE_GROUP" if _family_v6(group) else "IP_DROP_SOURCE_MEMBERSHIP", group, source, interface)

    def block(self, group: str, source: str, interface: Optional[str] = None) -> None:
        """IP_BLOCK_SOURCE (IPv4) or MCAST_BLOCK_SOURCE (IPv6)."""
        self._opt("MCAST_BLOCK_SOURCE" if _family_v6(group) else "IP_BLOCK_SOURCE", group, source, interface)

    def unblock(self, group: str, source: str, interface: Optional[str] = None) -> None:
        """IP_UNBLOCK_SOURCE (IPv4) or MCAST_UNBLOCK_SOURCE (IPv6)."""
        self._opt("MCAST_UNBLOCK_SOURCE" if _family_v6(group) else "IP_UNBLOCK_SOURCE", group, source, interface)

    def set_filter(self, group: str, mode: str, sources: Sequence[str] = (), interface: Optional[str] = None) -> None:
        """Final-state filter (SIOCSMSFILTER / MCAST_MSFILTER): mode "include" or "exclude"."""
        ev: Dict[str, Any] = {"op": "SET_FILTER", "group": str(group), "mode": mode, "sources": [str(s) for s in sources]}
        if interface:
            ev["interface"] = interface
        self._call(ev)

    def setsockopt(self, option: str, group: Optional[str] = None, source: Optional[str] = None, *,
                   sources: Optional[Sequence[str]] = None, mode: Optional[str] = None,
                   value: Optional[int] = None, interface: Optional[str] = None) -> None:
        """Any option by name (IP_ADD_SOURCE_MEMBERSHIP, MCAST_JOIN_GROUP, IP_MULTICAST_TTL
        with `value`, SIO_SET_MULTICAST_FILTER with `mode`/`sources`, ...)."""
        if group is not None and sources is None and mode is None and value is None:
            self._opt(option, group, source, interface)
            return
        ev: Dict[str, Any] = {"op": option}
        for k, v in (("group", group), ("source", source), ("mode", mode), ("value", value), ("interface", interface)):
            if v is not None:
                ev[k] = v if k == "value" else str(v)
        if sources is not None:
            ev["sources"] = [str(s) for s in sources]
        self._call(ev)

    def close(self) -> None:
        """Closes the socket (its memberships are dropped)."""
        self._call({"op": "CLOSE"})

    def _call(self, ev: Dict[str, Any]) -> None:
        self.host.sim._apply_raw({"host": self.host.name, "socket": self.label, **ev})  # raises SocketError

    def delivered(self, group: str, source: Optional[str] = None) -> int:
        """Datagrams delivered to this socket so far (from the `deliver` events)."""
        return self.host.delivered(group, source, socket=self.label)

    def __repr__(self) -> str:
        return f"<mcsim.Socket {self.host.name}/{self.label}>"


class Host:
    """A host of the simulation; `socket(label)` gives its sockets."""

    def __init__(self, sim: "Simulation", name: str) -> None:
        self.sim = sim
        self.name = name

    def socket(self, label: str = "A") -> Socket:
        """The socket named `label` (opened on its first call)."""
        return Socket(self, label)

    def membership(self, group: str) -> Tuple[str, List[str]]:
        """The host's interface state for `group` as (mode, sources), from the last `state`
        event; ("include", []) when not a member."""
        state: Tuple[str, List[str]] = ("include", [])
        for e in self.sim._iter_events():
            if e.get("event") == "state" and e.get("node") == self.name and e.get("group") == group:
                state = (e["mode"], list(e["sources"]))
        return state

    def is_member(self, group: str) -> bool:
        """True when the host's interface is a member of `group` (EXCLUDE, or INCLUDE non-empty)."""
        mode, sources = self.membership(group)
        return mode == "exclude" or bool(sources)

    def delivered(self, group: str, source: Optional[str] = None, socket: Optional[str] = None) -> int:
        """Datagrams delivered to this host's sockets (optionally one socket, one source)."""
        last: Dict[Tuple[str, str], int] = {}
        for e in self.sim._iter_events():
            if (e.get("event") == "deliver" and e.get("node") == self.name and e.get("group") == group
                    and (source is None or e.get("source") == source) and (socket is None or e.get("socket") == socket)):
                last[(e["socket"], e["source"])] = int(e["count"])
        return sum(last.values())

    def send(self, group: str, count: int = 1, **extra: Any) -> None:
        """Sends `count` data datagrams to `group` now (op SEND)."""
        self.sim._apply_raw({"host": self.name, "op": "SEND", "group": str(group), "count": count, **extra})

    def link(self, up: bool) -> None:
        """Link up/down now (op LINK)."""
        self.sim._apply_raw({"host": self.name, "op": "LINK", "state": "up" if up else "down"})

    def __repr__(self) -> str:
        return f"<mcsim.Host {self.name}>"


def _parse_set(text: str) -> List[str]:
    inner = text.strip()[1:-1].strip()
    return [s.strip() for s in inner.split(",")] if inner else []


class Router:
    """A router of the simulation: its group state and querier role, read now."""

    def __init__(self, sim: "Simulation", name: str) -> None:
        self.sim = sim
        self.name = name

    def _observe(self, group: str = "", querier: bool = False) -> str:
        core = self.sim._ensure()
        if self.name not in {r["name"] for r in self.sim.scenario.routers}:
            raise KeyError(f"no router named {self.name!r}")
        start = core.event_count
        core.observe_router(self.name, group, querier, _STATE_LOC)
        for line in reversed(core.events_json(start)):
            e = json.loads(line)
            if e.get("event") == "expect":
                return str(e.get("observed", ""))
        return ""

    def group(self, group: str) -> Optional[Tuple[str, List[str]]]:
        """The router-visible filter of `group` as (mode, sources) — EXCLUDE lists the excluded
        sources, INCLUDE the sources with running timers — or None when it has no state."""
        obs = self._observe(str(group))
        if obs == "no state" or not obs:
            return None
        mode, _, rest = obs.partition(" ")
        return mode, _parse_set(rest)

    @property
    def is_querier(self) -> bool:
        """True when this router is the IGMP querier (MLD when it runs no IGMP)."""
        return self._observe(querier=True) == "querier"

    def query(self, **fields: Any) -> None:
        """Sends a query now (op QUERY; fields as in the scenario file: group, version, ...)."""
        self.sim._apply_raw({"router": self.name, "op": "QUERY", **fields})

    def link(self, up: bool) -> None:
        """Link up/down now (op LINK)."""
        self.sim._apply_raw({"router": self.name, "op": "LINK", "state": "up" if up else "down"})

    def __repr__(self) -> str:
        return f"<mcsim.Router {self.name}>"


def _clean(d: Dict[str, Any]) -> Dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


_DURATION_KEYS = {"latency", "unsolicited_report_interval", "query_interval", "query_response_interval",
                  "last_member_query_interval"}


class Simulation:
    """One simulation run. Either from a Scenario (`Simulation(scenario, seed=...)`) or built
    in code (`Simulation.new(...)` then add_lan/add_host/add_router/add_switch); the C++
    simulation is created on the first run/step/socket call.

    Times are float seconds; durations may be strings with units ("30s") or seconds.
    """

    def __init__(self, scenario: Optional[Union[Scenario, str, os.PathLike]] = None, *, seed: Optional[int] = None,
                 profile: Optional[str] = None, until: Optional[DurationLike] = None,
                 pcap_dir: Optional[Union[str, os.PathLike]] = None) -> None:
        if isinstance(scenario, (str, os.PathLike)):
            scenario = Scenario.load(scenario)
        self._scenario: Optional[Scenario] = scenario
        self._opts = dict(seed=seed, profile=profile, until=to_seconds(until),
                          pcap_dir=None if pcap_dir is None else os.fspath(pcap_dir))
        self._core: Any = None
        self._events: List[Dict[str, Any]] = []
        self._spec: Optional[Dict[str, Any]] = None
        if scenario is not None:
            self._ensure()

    @classmethod
    def new(cls, *, name: str = "python", seed: int = 1, profile: str = "windows", until: DurationLike = "60s",
            pcap_dir: Optional[Union[str, os.PathLike]] = None) -> "Simulation":
        """An empty topology to build in code."""
        sim = cls(None, pcap_dir=pcap_dir)
        sim._spec = {"name": name, "seed": seed, "profile": profile, "until": duration_text(until),
                     "lans": [], "hosts": [], "routers": [], "switches": []}
        return sim

    # ---- building in code -------------------------------------------------------------
    def _add(self, kind: str, item: Dict[str, Any]) -> None:
        if self._spec is None:
            raise RuntimeError("add_* builds a topology in code: use Simulation.new(...)")
        if self._core is not None:
            raise RuntimeError("the simulation has started; add nodes before the first run/step/socket call")
        for k in list(item):
            if k in _DURATION_KEYS and item[k] is not None:
                item[k] = duration_text(item[k])
        self._spec[kind].append(_clean(item))

    def add_lan(self, name: str, mtu: int = 1500, latency: Optional[DurationLike] = None, loss: float = 0.0,
                duplicate: float = 0.0) -> None:
        """Adds a LAN segment."""
        item: Dict[str, Any] = {"name": name, "mtu": mtu, "latency": latency}
        if loss:
            item["loss"] = loss
        if duplicate:
            item["duplicate"] = duplicate
        self._add("lans", item)

    def add_host(self, name: str, lan: str, ipv4: Optional[str] = None, ipv6: Optional[str] = None, *,
                 mac: Optional[str] = None, igmp: int = 3, mld: int = 2, robustness: Optional[int] = None,
                 unsolicited_report_interval: Optional[DurationLike] = None,
                 solicited_node: Optional[bool] = None) -> Host:
        """Adds a host on `lan`; returns its handle."""
        self._add("hosts", {"name": name, "lan": lan, "ipv4": ipv4, "ipv6": ipv6, "mac": mac, "igmp": igmp, "mld": mld,
                            "robustness": robustness, "unsolicited_report_interval": unsolicited_report_interval,
                            "solicited_node": solicited_node})
        return Host(self, name)

    def add_router(self, name: str, lan: str, ipv4: Optional[str] = None, ipv6: Optional[str] = None, *,
                   mac: Optional[str] = None, igmp: int = 3, mld: int = 2, **options: Any) -> Router:
        """Adds a router (options: require_router_alert, robustness, query_interval,
        query_response_interval, last_member_query_interval, last_member_query_count)."""
        self._add("routers", {"name": name, "lan": lan, "ipv4": ipv4, "ipv6": ipv6, "mac": mac, "igmp": igmp,
                              "mld": mld, **options})
        return Router(self, name)

    def add_switch(self, name: str, ports: Sequence[str], snooping: bool = True) -> None:
        """Adds a switch joining the LANs `ports`."""
        self._add("switches", {"name": name, "ports": list(ports), "snooping": snooping})

    def to_yaml(self) -> str:
        """The topology built in code as scenario text (JSON is YAML flow syntax)."""
        if self._spec is None:
            raise RuntimeError("to_yaml: this simulation was made from a Scenario")
        spec = {k: v for k, v in self._spec.items() if v != []}
        return dumps(spec) + "\n"

    @property
    def scenario(self) -> Scenario:
        """The Scenario (built from the code-defined topology on first use)."""
        if self._scenario is None:
            self._scenario = Scenario.from_yaml(self.to_yaml(), name=str(self._spec["name"]) if self._spec else "<code>")
        return self._scenario

    def _ensure(self) -> Any:
        if self._core is None:
            o = self._opts
            self._core = _core.Simulation(self.scenario._core, o["seed"], o["profile"], o["until"], o["pcap_dir"])
        return self._core

    # ---- running ------------------------------------------------------------------------
    def run(self, until: Optional[DurationLike] = None) -> "Simulation":
        """Runs every event up to and including `until` (absolute time; default: the end)."""
        self._ensure().run(to_seconds(until))
        return self

    def step(self) -> bool:
        """Processes the next event; False when none is left before the end."""
        return bool(self._ensure().step())

    @property
    def now(self) -> float:
        """Current virtual time, seconds."""
        return float(self._ensure().now)

    @property
    def end(self) -> float:
        """End of the run, seconds."""
        return float(self._ensure().end)

    # ---- actions ---------------------------------------------------------------------------
    def host(self, name: str) -> Host:
        """Handle of host `name`."""
        return Host(self, name)

    def router(self, name: str) -> Router:
        """Handle of router `name`."""
        return Router(self, name)

    def apply(self, event: Dict[str, Any]) -> str:
        """Performs an action now, written as a scenario event without `at`, e.g.
        {"host": "h1", "socket": "A", "op": "IP_ADD_MEMBERSHIP", "group": "239.1.1.1"}.
        Returns "ok"; a failed socket call raises SocketError unless the event has an
        `expect` (then the result string is returned and the expectation is recorded)."""
        return self._apply_raw(dict(event), raise_error="expect" not in event)

    def _apply_raw(self, ev: Dict[str, Any], raise_error: bool = True) -> str:
        core = self._ensure()
        ev.pop("at", None)
        start = core.event_count
        result = core.apply_yaml(dumps({"at": 0, **ev}))
        if result != "ok" and raise_error:
            self._raise_socket_error(result, str(ev.get("op", "")), start)
        return str(result)

    def _raise_socket_error(self, result: str, op: str, start: int) -> None:
        core = self._core
        code, reason = 0, ""
        for line in reversed(core.events_json(start)):
            e = json.loads(line)
            if e.get("event") == "sockopt" and e.get("result") == result:
                code, reason = int(e.get("code", 0)), str(e.get("reason", ""))
                break
        profile = self._opts["profile"] or self.scenario.profile
        if not code:
            code = _core.error_code(profile, result) or 0
        raise SocketError(result, code, profile, reason, op)

    def expect(self, expectation: Dict[str, Any]) -> Dict[str, Any]:
        """Checks an expectation now (a scenario `expect` entry without `at`) and records it;
        returns the result dict (at, passed, what, detail, loc)."""
        ex = {k: v for k, v in expectation.items() if k != "at"}
        return dict(self._ensure().check_yaml(dumps({"at": 0, **ex}), "<python>"))

    # ---- results -----------------------------------------------------------------------------
    def _iter_events(self) -> List[Dict[str, Any]]:
        core = self._ensure()
        n = core.event_count
        have = getattr(self, "_raw_seen", 0)
        if n > have:
            for line in core.events_json(have):
                self._events.append(json.loads(line))
            self._raw_seen = n
        return self._events

    @property
    def events(self) -> List[Dict[str, Any]]:
        """The event log so far: one dict per event, equal to the lines of
        `mcsim run --format jsonl` (without the final summary line)."""
        return [e for e in self._iter_events() if not (e.get("event") == "expect" and e.get("at") == _STATE_AT)]

    def event_counts(self) -> Dict[str, int]:
        """Number of log events per kind ("tx", "sockopt", "state", "deliver", ...)."""
        return dict(self._ensure().event_counts())

    @property
    def results(self) -> List[Dict[str, Any]]:
        """Expectation results so far: dicts with at, passed, what, detail, loc."""
        return [r for r in self._ensure().results if r["loc"] != _STATE_AT]

    @property
    def failures(self) -> int:
        """Failed expectations (and failed `expect:` on events) so far."""
        core = self._ensure()
        hidden = sum(1 for r in core.results if r["loc"] == _STATE_AT and not r["passed"])
        return int(core.failures) - hidden

    @property
    def passed(self) -> int:
        """Passed expectations so far."""
        return sum(1 for r in self.results if r["passed"])

    @property
    def error(self) -> str:
        """A problem found when building or running ("" when none)."""
        return str(self._ensure().error)

    @property
    def events_processed(self) -> int:
        """Events processed by the engine so far."""
        return int(self._ensure().events_processed)

    def semantics(self) -> List[str]:
        """One line per transmitted IGMP/MLD message (sim/golden.hpp), in order."""
        return list(self._ensure().semantics())

    def log_lines(self) -> List[str]:
        """The event log as JSONL lines (as `mcsim run --format jsonl` prints them), for compare()."""
        return list(self._ensure().log_lines())

    def __repr__(self) -> str:
        name = self._scenario.name if self._scenario else (self._spec or {}).get("name")
        state = f"now={self._core.now}s" if self._core is not None else "not started"
        return f"<mcsim.Simulation {name!r} {state}>"
