"""Set-up paid once per distinct input: built phases kept as templates, copied for each run.

A sweep worker builds many models in one process. Three parts of a model's
construction are the same for every run that has the same inputs, and cost
more than copying their result:

- the corridor phase (:class:`~sim.routing.phase.CorridorPhase`): about 25 ms
  to build, 2 ms to copy. It draws no random numbers, so runs that differ only
  in their seed share it.
- the settlement phase after its spin-up from the 2021Q4 initial state up to
  ``sim.start`` (:class:`~sim.settlement.phase.SettlementPhase`): about 110 ms
  to build and replay, 4 ms to copy. Its traders and the spin-up draw from the
  run's ``settlement`` random stream, so it is shared only by runs whose stream
  starts in the same state, i.e. runs with the same seed (``sweep.seeds=fixed``,
  or ``per_replicate`` across parameter points; never two ``per_run`` runs).
- the part of that settlement construction that draws no random number
  (:class:`~sim.settlement.phase.SeedFreeSetup`: the settlement core, the
  initial table's shares), about 7 ms to build, 0.4 ms to copy: shared by every
  run with the same settlement inputs whatever its seed, so a sweep over
  per-run seeds pays it once per worker.

:func:`cached` keys a template by *everything its construction reads*: every
argument of the constructor (configs as canonical JSON, arrays by their bytes,
a random generator by its bit generator's state) and, for the settlement, the
spin-up quarters. A kept template is only ever handed out as a deep copy, so a
run's steps never touch it or another run's state; objects the construction itself takes
from a process-wide cache (the corridor network, the path sets) are shared by
the copies exactly as by freshly built phases. The data files a phase reads are
loaded once per process (as before this cache), so the cache lives in the
process's memory only, never on disk: a changed file or changed code needs a
new process either way.

A template is kept from the second time its key is asked for: the first run
with a key gets the phase it built itself, uncopied, and nothing is kept, so a
sweep whose every run has its own seed pays neither a copy nor the memory of
spin-ups that never come back; a key asked for again is built once more and
kept. The cache holds at most :data:`SIZE` templates of each kind (least
recently used dropped) and remembers :data:`SEEN_SIZE` keys seen once, so a
worker's memory stays flat over a sweep.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

SIZE = 4
"""Templates kept per kind (the least recently used beyond this are dropped)."""

SEEN_SIZE = 256
"""Keys remembered per kind as used once (a template is kept from a key's second use)."""

_TEMPLATES: dict[str, OrderedDict[str, Any]] = {}
_SEEN: dict[str, OrderedDict[str, bool]] = {}
_STATS = {"hits": 0, "misses": 0}


def _plain(value: Any) -> Any:
    """``value`` as JSON-able data that differs whenever the value differs."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__qualname__, **fields}
    if isinstance(value, np.random.Generator):
        return {"__rng__": _plain(value.bit_generator.state)}
    if isinstance(value, np.ndarray):
        digest = hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest()
        return {"__array__": [str(value.dtype), list(value.shape), digest]}
    if isinstance(value, dict):
        return {"__dict__": [[_plain(k), _plain(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple):
        return [type(value).__name__, [_plain(v) for v in value]]
    if isinstance(value, float):
        return {"__float__": value.hex()}  # exact: 0.1 and 0.1000000000000001 differ
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, np.generic):
        return _plain(value.item())
    raise TypeError(f"setup cache: cannot key a {type(value).__name__}")


def key_of(*parts: Any) -> str:
    """A digest of ``parts`` (configs, arrays, generators, plain values), order included."""
    text = json.dumps(_plain(list(parts)), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def cached[T](
    kind: str,
    key: str,
    build: Callable[[], T],
    shared: Callable[[T], Iterable[object]] = lambda _: (),
) -> T:
    """The phase of ``kind`` under ``key``: a copy of its kept template, else ``build()``.

    Args:
        kind: The template's kind (``"routing"``, ``"settlement"``,
            ``"settlement_setup"``): each has its own LRU.
        key: :func:`key_of` everything ``build`` reads.
        build: Builds the phase (on a key's first and second use; then kept and copied).
        shared: The objects inside a template its copies share rather than copy
            (those the construction takes from a process-wide cache itself).

    Returns:
        What ``build()`` returned, or a copy of the kept template that owns every
        other piece of its state.
    """
    templates = _TEMPLATES.setdefault(kind, OrderedDict())
    template = templates.get(key)
    if template is not None:
        _STATS["hits"] += 1
        templates.move_to_end(key)
        return copy.deepcopy(template, {id(obj): obj for obj in shared(template)})
    _STATS["misses"] += 1
    seen = _SEEN.setdefault(kind, OrderedDict())
    if seen.pop(key, None) is None:  # first use: maybe the only one (a per-run seed)
        seen[key] = True
        while len(seen) > SEEN_SIZE:
            seen.popitem(last=False)
        return build()
    templates[key] = template = build()  # second use: kept for the next ones
    while len(templates) > SIZE:
        templates.popitem(last=False)
    return copy.deepcopy(template, {id(obj): obj for obj in shared(template)})


def stats() -> dict[str, int]:
    """Hits and misses since the process started (or :func:`clear`)."""
    return dict(_STATS)


def clear() -> None:
    """Drop every template and reset the counts (tests; a cold start)."""
    _TEMPLATES.clear()
    _SEEN.clear()
    _STATS.update(hits=0, misses=0)
