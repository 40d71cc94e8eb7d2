"""Small HTML builders for the self-contained report (no template engine, no network)."""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence

import pandas as pd

CSS = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 60rem; margin: 2rem auto;
       padding: 0 1rem; color: #222; line-height: 1.45; font-size: 15px; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2.2rem;
     border-bottom: 1px solid #ccc; padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: .6rem 0; font-size: .85rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .6rem; text-align: right; }
th { background: #f3f3f3; } td.l, th.l { text-align: left; }
figure { margin: 1.2rem 0; } figure img { width: 100%; height: auto; }
figcaption { font-size: .88rem; color: #444; }
.omitted { color: #555; font-style: italic; } .meta { color: #666; font-size: .85rem; }
pre { background: #f6f6f6; padding: .6rem; overflow-x: auto; font-size: .8rem; }
a { color: #0072B2; }
"""


def esc(text: object) -> str:
    """HTML-escape ``text``."""
    return html.escape(str(text))


def page(title: str, body: Iterable[str]) -> str:
    """A complete HTML document."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def section(anchor: str, title: str, parts: Iterable[str]) -> str:
    """A ``<section>`` with an ``id`` and a heading."""
    return (
        f'<section id="{esc(anchor)}">\n<h2>{esc(title)}</h2>\n' + "\n".join(parts) + "\n</section>"
    )


def para(text: str) -> str:
    """A paragraph of escaped text."""
    return f"<p>{esc(text)}</p>"


def bullets(items: Iterable[str]) -> str:
    """An unordered list of escaped items."""
    return "<ul>\n" + "\n".join(f"<li>{esc(i)}</li>" for i in items) + "\n</ul>"


def pre(text: str) -> str:
    """Preformatted, escaped text."""
    return f"<pre>{esc(text)}</pre>"


def table(df: pd.DataFrame, left: Sequence[str] = (), floatfmt: str = "{:,.3g}") -> str:
    """An HTML table of ``df``; columns in ``left`` are left-aligned text."""

    def cell(v: object) -> str:
        if isinstance(v, float):
            return "–" if pd.isna(v) else floatfmt.format(v)
        return esc(v)

    head = "".join(f'<th class="{"l" if c in left else ""}">{esc(c)}</th>' for c in df.columns)
    rows = []
    for rec in df.itertuples(index=False):
        tds = "".join(
            f'<td class="{"l" if c in left else ""}">{cell(v)}</td>'
            for c, v in zip(df.columns, rec, strict=True)
        )
        rows.append(f"<tr>{tds}</tr>")
    return f"<table>\n<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>"


def figure(
    anchor: str, title: str, png: bytes, caption: str, files: Sequence[tuple[str, str]]
) -> str:
    """A figure embedded as base64 PNG, with a caption and links to its files."""
    data = base64.b64encode(png).decode("ascii")
    links = " · ".join(f'<a href="{esc(href)}">{esc(fmt.upper())}</a>' for fmt, href in files)
    return (
        f'<figure id="{esc(anchor)}">\n<h3>{esc(title)}</h3>\n'
        f'<img alt="{esc(title)}" src="data:image/png;base64,{data}">\n'
        f"<figcaption>{esc(caption)}"
        + (f" Files: {links}." if links else "")
        + "</figcaption>\n</figure>"
    )


def omitted(anchor: str, title: str, reason: str) -> str:
    """The place of a figure that does not apply, with the sentence saying why."""
    return (
        f'<div id="{esc(anchor)}" class="figure-omitted">\n<h3>{esc(title)}</h3>\n'
        f'<p class="omitted">Not shown: {esc(reason)}</p>\n</div>'
    )
