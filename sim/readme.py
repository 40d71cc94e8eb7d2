"""Blocks of README.md generated from the code (configuration and column tables).

A generated block sits between a begin and an end marker (HTML comments); its
generator replaces what is between them, and a test checks the README is current.
"""

from __future__ import annotations

from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def with_block(text: str, begin: str, end: str, block: str) -> str:
    """``text`` with what stands between the ``begin`` and ``end`` markers replaced by ``block``."""
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{begin}\n{block}\n{end}{tail}"


def regenerate(begin: str, end: str, block: str, path: Path = README) -> None:
    """Write ``block`` between the markers of the README at ``path``."""
    path.write_text(with_block(path.read_text(encoding="utf-8"), begin, end, block), "utf-8")
