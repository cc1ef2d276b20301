"""The HTML toolkit of gemsim's reports: one page shell and stylesheet, tables, figures,
escaping.

``report.html`` and ``sensitivity.html`` are both built from these pieces, so they look
alike and share one set of layout rules: the page is self-contained (inline CSS, figures as
base64 PNG), and every table and figure fits the column at any window width from a phone
to a wide screen (cells wrap; nothing is cut off or scrolls sideways).

Text is escaped unless it is wrapped in :class:`Html`, the marker for markup that was
built (and escaped) already.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CSS", "Html", "escape", "figure", "page", "table"]

CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  max-width: 1100px; margin: 2rem auto; padding: 0 1.2rem; color: #1f2328; line-height: 1.5; }
h1 { font-size: 1.7rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #d0d7de; padding-bottom: 0.2rem; margin-top: 2.2rem; }
h3 { margin-top: 1.5rem; }
.subtitle { color: #57606a; margin-top: 0; }
.box { background: #f6f8fa; border-left: 4px solid #0072B2; padding: 0.6rem 1rem; }
.caveat { background: #fff8e5; border-left: 4px solid #E69F00; padding: 0.6rem 1rem; }
.box > :first-child, .caveat > :first-child { margin-top: 0; }
.box > :last-child, .caveat > :last-child { margin-bottom: 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.88rem; max-width: 100%; }
th, td { border: 1px solid #d0d7de; padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
.sub, .ci { display: block; color: #57606a; font-size: 0.88em; }
.ci { white-space: nowrap; }
.muted { color: #57606a; }
.side { display: grid; grid-template-columns: minmax(0, 1fr) clamp(12rem, 30%, 21rem);
  gap: 1rem; align-items: start; }
.side > * { min-width: 0; }
.side aside { font-size: 0.86rem; line-height: 1.4; }
.side aside ul { padding-left: 1.1rem; }
.side aside h3 { margin-top: 0; }
@media (max-width: 1000px) { .ci { white-space: normal; } }
@media (max-width: 640px) { .side { grid-template-columns: minmax(0, 1fr); } }
figure { margin: 1.2rem 0 2rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #d0d7de; }
figcaption { color: #57606a; font-size: 0.92rem; margin-top: 0.3rem; }
pre { background: #f6f8fa; padding: 0.7rem; white-space: pre-wrap; overflow-wrap: anywhere; }
code { background: #f6f8fa; padding: 0 0.2em; overflow-wrap: anywhere; }
.clear { font-weight: 600; }
details > summary { cursor: pointer; font-weight: 600; margin: 0.5rem 0; }
"""


class Html(str):
    """A string that is HTML already: :func:`table` inserts it as is."""


def escape(value: Any) -> Html:
    """``value`` as text, with ``& < > " '`` escaped (``None`` becomes empty)."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value)))


def table(
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    numeric: Iterable[int] = (),
    css: str = "",
) -> Html:
    """A table; cells are escaped unless :class:`Html`. Columns whose index is in
    ``numeric`` are right-aligned with tabular figures."""
    right = frozenset(numeric)

    def cell(tag: str, index: int, value: Any) -> str:
        align = ' class="num"' if index in right else ""
        return f"<{tag}{align}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(header))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
    )
    css_attr = f' class="{escape(css)}"' if css else ""
    return Html(f"<table{css_attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def figure(path: Path | str | None, caption: Any, *, title: Any = None) -> Html:
    """A figure with the PNG at ``path`` embedded (empty if there is no such file)."""
    if path is None or not Path(path).is_file():
        return Html("")
    data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
    heading = f"<h3>{escape(title)}</h3>" if title else ""
    alt = escape(title or caption)
    return Html(
        f'<figure>{heading}<img alt="{alt}" src="data:image/png;base64,{data}">'
        f"<figcaption>{escape(caption)}</figcaption></figure>"
    )


def page(title: Any, body: str) -> str:
    """The whole self-contained page: shell and stylesheet around ``body`` (HTML)."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
