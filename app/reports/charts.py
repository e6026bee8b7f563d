"""Accessible SVG charts for the cohort outcome reports, built as plain markup on the server.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and ``<desc>``, which state every
figure and what each disclosure symbol means; each value is also written beside its bar, so nothing
is told by colour or length alone. Values come as ``pathways.disclosure`` publishes them, so the
chart says what the table says: a number, the symbol that hides it ("<5", "[c]", "[low]"), or
``None`` ("suppressed"); rates are percentages. A hidden value is a hatched box labelled with its
symbol. Colours are NHS.UK's on a white ground: text #212b32 (14.4:1), bars #005eb8 (6.4:1), rules
and hatching #768692 (3.7:1; WCAG 2.2 AA asks 3:1 of graphics, 4.5:1 of text). Styling is by
presentation attributes only, because the Content-Security-Policy refuses inline styles, and there
is no script. The svg has a viewBox but no fixed size, so a chart shrinks with its column.
"""

import hashlib
import math
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from numbers import Real

from markupsafe import Markup

BLUE = "#005eb8"
TEXT = "#212b32"
GREY = "#768692"
WHITE = "#ffffff"
FONT_FAMILY = "Frutiger W01, Arial, sans-serif"

SUPPRESSED = "suppressed"
NO_DATA = "No data"
# The Government Statistical Service symbols that pathways.disclosure publishes; "<n" is read apart.
SYMBOL_MEANINGS = {
    "[c]": "hidden so that a small number cannot be worked out from the totals",
    "[low]": "too few people for a reliable rate",
    SUPPRESSED: "hidden to protect privacy",
}

# A number, a disclosure symbol such as "<5" standing in for one, or None when simply suppressed.
Value = Real | str | None

WIDTH = 640
PAD = 16
FONT_SIZE = 16
LINE_HEIGHT = 20
LABEL_CHARS = 64  # characters of a label per line at FONT_SIZE across WIDTH
BAR_HEIGHT = 28
ROW_GAP = 14
VALUE_SPACE = 170  # room kept right of the longest bar for "1,234,567 (100%)"
BAR_MAX = WIDTH - 2 * PAD - VALUE_SPACE
# A hidden value has no length: a small hatched box marks its place without passing for one.
HATCH_WIDTH = 24
HATCH_HEIGHT = 14

COLUMN_SLOT = 88  # "suppressed" at 14 units fits above a column in this width
COLUMN_WIDTH = 56
COLUMN_MAX = 200
SMALL_FONT = 14

_CHART_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def format_count(value: Value) -> str:
    """A count as people read it ("1,234"), its disclosure symbol, or "suppressed"."""
    number = _number(value)
    if number is None:
        return _hidden_text(value)
    return f"{_round(number, 0):,}" if number.is_integer() else f"{_round(number, 1):,}"


def format_rate(percentage: Value) -> str:
    """A percentage (0 to 100) as a whole one, rounding halves up ("59%"), or its symbol."""
    number = _number(percentage)
    if number is None:
        return _hidden_text(percentage)
    return f"{_round(number, 0)}%"


def funnel_chart(
    steps: Sequence[tuple[str, Value, Value]],
    *,
    title: str = "Outcome funnel",
    chart_id: str | None = None,
) -> Markup:
    """A horizontal bar per step (label, count, rate as a percentage), longest for the most people.

    A hidden count is drawn hatched with no rate; a ``None`` rate is left out of its label.
    """
    bars = []
    for label, count, rate in steps:
        text = format_count(count)
        if _number(count) is not None and rate is not None:
            text = f"{text} ({format_rate(rate)})"
        bars.append(_Bar(str(label), _number(count), text, _symbols(count, rate)))
    summary = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return _horizontal_chart(bars, title=title, summary=summary, chart_id=chart_id)


def bar_chart(
    rows: Sequence[tuple[str, Value]],
    *,
    title: str,
    percent: bool = False,
    max_value: float | None = None,
    chart_id: str | None = None,
) -> Markup:
    """A horizontal bar per row (label, value) for a breakdown such as job-start rate by IMD decile.

    :param percent: values are percentages (0 to 100).
    :param max_value: what a full-length bar stands for (say 100 for rates); the largest by default.
    """
    bars = _bars(rows, percent=percent)
    summary = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    return _horizontal_chart(
        bars, title=title, summary=summary, chart_id=chart_id, max_value=max_value
    )


def trend_chart(
    points: Sequence[tuple[str, Value]],
    series_label: str,
    *,
    title: str | None = None,
    percent: bool = False,
    chart_id: str | None = None,
) -> Markup:
    """A column per quarter (label, value) from the earliest on the left, each with its value above.

    :param percent: values are percentages (0 to 100).
    """
    title = title or f"{series_label} by quarter"
    bars = _bars(points, percent=percent)
    chart_id = _valid_id(chart_id, "trend", title, bars)
    if not bars:
        return _no_data_chart(title=title, chart_id=chart_id)

    shown = [bar for bar in bars if bar.value is not None]
    summary = f"{series_label}, {bars[0].label} to {bars[-1].label}. " + "; ".join(
        f"{bar.label}: {bar.text}" for bar in bars
    )
    if shown:
        highest = max(shown, key=lambda bar: bar.value)
        summary += f". Highest: {highest.text} in {highest.label}"
    scale = max((bar.value for bar in shown), default=0) or 1

    width = max(WIDTH, 2 * PAD + len(bars) * COLUMN_SLOT)
    caption_y = PAD + FONT_SIZE
    base_y = caption_y + LINE_HEIGHT + SMALL_FONT + 8 + COLUMN_MAX
    parts = [_text(PAD, caption_y, series_label)]
    label_lines = 1
    for index, bar in enumerate(bars):
        middle = PAD + index * COLUMN_SLOT + COLUMN_SLOT / 2
        left = middle - COLUMN_WIDTH / 2
        if bar.value is None:
            height = HATCH_HEIGHT
            parts.append(_suppressed_rect(chart_id, left, base_y - height, COLUMN_WIDTH, height))
        else:
            height = bar.value / scale * COLUMN_MAX
            parts.append(_bar_rect(left, base_y - height, COLUMN_WIDTH, height))
        parts.append(_text(middle, base_y - height - 6, bar.text, size=SMALL_FONT, anchor="middle"))
        lines = textwrap.wrap(bar.label, 10) or [""]
        label_lines = max(label_lines, len(lines))
        for number, line in enumerate(lines, start=1):
            y = base_y + number * (SMALL_FONT + 4)
            parts.append(_text(middle, y, line, size=SMALL_FONT, anchor="middle"))
    parts.append(_rule(PAD, base_y, width - PAD, base_y))
    height = base_y + label_lines * (SMALL_FONT + 4) + PAD
    has_suppressed = len(shown) < len(bars)
    return _svg(
        chart_id=chart_id,
        width=width,
        height=height,
        title=title,
        desc=_with_key(summary, bars),
        body=parts,
        hatch=has_suppressed,
    )


@dataclass(frozen=True)
class _Bar:
    label: str
    value: float | None
    text: str
    symbols: tuple[str, ...] = ()


def _bars(pairs: Sequence[tuple[str, Value]], *, percent: bool) -> list[_Bar]:
    fmt = format_rate if percent else format_count
    return [_Bar(str(label), _number(value), fmt(value), _symbols(value)) for label, value in pairs]


def _horizontal_chart(
    bars: list[_Bar],
    *,
    title: str,
    summary: str,
    chart_id: str | None,
    max_value: float | None = None,
) -> Markup:
    chart_id = _valid_id(chart_id, "bars", title, bars)
    if not bars:
        return _no_data_chart(title=title, chart_id=chart_id)
    shown = [bar.value for bar in bars if bar.value is not None]
    scale = max_value or max(shown, default=0) or 1
    parts = []
    y = PAD
    for bar in bars:
        for line in textwrap.wrap(bar.label, LABEL_CHARS) or [""]:
            y += LINE_HEIGHT
            parts.append(_text(PAD, y, line))
        y += 6
        if bar.value is None:
            length = HATCH_WIDTH
            parts.append(_suppressed_rect(chart_id, PAD, y, length, BAR_HEIGHT))
        else:
            length = min(bar.value / scale, 1) * BAR_MAX
            parts.append(_bar_rect(PAD, y, length, BAR_HEIGHT))
        # The axis each bar starts from, so a zero still shows where its bar would be.
        parts.append(_rule(PAD, y - 2, PAD, y + BAR_HEIGHT + 2))
        parts.append(_text(PAD + length + 8, y + BAR_HEIGHT / 2 + FONT_SIZE * 0.35, bar.text))
        y += BAR_HEIGHT + ROW_GAP
    has_suppressed = len(shown) < len(bars)
    return _svg(
        chart_id=chart_id,
        width=WIDTH,
        height=y + PAD - ROW_GAP,
        title=title,
        desc=_with_key(f"{title}. {summary}", bars),
        body=parts,
        hatch=has_suppressed,
    )


def _no_data_chart(*, title: str, chart_id: str) -> Markup:
    height = 2 * PAD + 3 * LINE_HEIGHT
    return _svg(
        chart_id=chart_id,
        width=WIDTH,
        height=height,
        title=title,
        desc=f"{title}: no data to show.",
        body=[_text(WIDTH / 2, height / 2 + FONT_SIZE * 0.35, NO_DATA, anchor="middle")],
    )


def _svg(
    *,
    chart_id: str,
    width: float,
    height: float,
    title: str,
    desc: str,
    body: list[Markup],
    hatch: bool = False,
) -> Markup:
    # Markup.format escapes every argument that is not already Markup, labels included.
    defs = Markup("")
    if hatch:
        defs = Markup(
            '<defs><pattern id="{id}-hatch" patternUnits="userSpaceOnUse" width="8" height="8" '
            'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="8" stroke="{grey}" '
            'stroke-width="3"/></pattern></defs>'
        ).format(id=chart_id, grey=GREY)
    return Markup(
        '<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" role="img" '
        'viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-title {id}-desc" font-family="{font}" font-size="{size}">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{defs}'
        '<rect width="{width}" height="{height}" fill="{white}"/>{body}</svg>'
    ).format(
        id=chart_id,
        width=_n(width),
        height=_n(height),
        font=FONT_FAMILY,
        size=FONT_SIZE,
        title=title,
        desc=desc,
        defs=defs,
        white=WHITE,
        body=Markup("").join(body),
    )


def _text(
    x: float, y: float, content: str, *, size: int = FONT_SIZE, anchor: str = "start"
) -> Markup:
    return Markup(
        '<text x="{x}" y="{y}" fill="{fill}" font-size="{size}" text-anchor="{anchor}">'
        "{content}</text>"
    ).format(x=_n(x), y=_n(y), fill=TEXT, size=size, anchor=anchor, content=content)


def _bar_rect(x: float, y: float, width: float, height: float) -> Markup:
    return Markup(
        '<rect class="app-chart__bar" x="{x}" y="{y}" width="{width}" height="{height}" '
        'fill="{fill}"/>'
    ).format(x=_n(x), y=_n(y), width=_n(width), height=_n(height), fill=BLUE)


def _suppressed_rect(chart_id: str, x: float, y: float, width: float, height: float) -> Markup:
    return Markup(
        '<rect class="app-chart__bar app-chart__bar--suppressed" x="{x}" y="{y}" '
        'width="{width}" height="{height}" fill="url(#{id}-hatch)" stroke="{grey}" '
        'stroke-width="2" stroke-dasharray="4 3"/>'
    ).format(x=_n(x), y=_n(y), width=_n(width), height=_n(height), id=chart_id, grey=GREY)


def _rule(x1: float, y1: float, x2: float, y2: float) -> Markup:
    return Markup(
        '<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{grey}" stroke-width="2"/>'
    ).format(x1=_n(x1), y1=_n(y1), x2=_n(x2), y2=_n(y2), grey=GREY)


def _with_key(summary: str, bars: list[_Bar]) -> str:
    """The summary, then what each symbol in it means."""
    symbols = dict.fromkeys(symbol for bar in bars for symbol in bar.symbols)
    meanings = "; ".join(f"{symbol} means {_meaning(symbol)}" for symbol in symbols)
    return f"{summary}. {meanings}." if meanings else f"{summary}."


def _meaning(symbol: str) -> str:
    smaller = re.fullmatch(r"<\s*(\d+)", symbol)
    if smaller:
        return f"fewer than {smaller[1]}, hidden to protect privacy"
    return SYMBOL_MEANINGS.get(symbol, SYMBOL_MEANINGS[SUPPRESSED])


def _symbols(value: Value, rate: Value = None) -> tuple[str, ...]:
    """The symbols written in place of hidden figures; a hidden count hides its rate too."""
    if _number(value) is None:
        return (_hidden_text(value),)
    if rate is not None and _number(rate) is None:
        return (_hidden_text(rate),)
    return ()


def _hidden_text(value: Value) -> str:
    return value.strip() if isinstance(value, str) and value.strip() else SUPPRESSED


def _number(value: Value) -> float | None:
    """A value as a float; None when hidden (a symbol, None or pandas' NaN); no negatives."""
    if value is None or isinstance(value, str):
        return None
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"chart values are numbers, symbols or None, not {value!r}")
    number = float(value)
    if math.isnan(number):
        return None
    if number < 0 or math.isinf(number):
        raise ValueError(f"chart values are finite and not negative, not {value!r}")
    return number


def _round(number: float, places: int) -> Decimal:
    """Round half up, as people do by hand (and as ``pathways.disclosure.percent`` does)."""
    # repr gives the shortest decimal that reads back as the float: 58.5 is exactly 58.5, not less.
    exact = Decimal(repr(number))
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _valid_id(chart_id: str | None, kind: str, title: str, bars: list[_Bar]) -> str:
    """The given id, or one derived from the content so two different charts on a page differ."""
    if chart_id is None:
        content = repr((kind, title, bars)).encode()
        return f"chart-{kind}-{hashlib.blake2s(content, digest_size=4).hexdigest()}"
    if not _CHART_ID.fullmatch(chart_id):
        raise ValueError(f"chart_id must be letters, digits, - or _: {chart_id!r}")
    return chart_id


def _n(number: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros."""
    return f"{number:.2f}".rstrip("0").rstrip(".")
