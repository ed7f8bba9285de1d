"""Charts as inline SVG, drawn at build time with pygal, for pages that work without JavaScript.

Each chart is an ``<svg role="img">`` named by its ``<title>`` and described by its ``<desc>``
(``aria-labelledby``, ``aria-describedby``): a screen reader hears the one image with its summary,
and the numbers are in the table beside it. What pygal adds for its interactive charts goes:
its script (it would load more from another host), its stylesheet, comments, tooltips and the
titles and descriptions of every bar. The page's stylesheet draws the chart (``site.css``,
"Charts"), so the large-text mode, the system's contrast setting and print apply to it too.

Series are told apart by fill patterns and the legend's labels, never by colour alone, and bars
carry their values. The SVG is the same bytes for the same figures: no random id, no date.
Its text (labels from the read API among it) is escaped by the XML serialiser; it is the one
fragment the templates insert as it is.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import pygal
from pygal.etree import etree
from pygal.style import Style

from .statistics import Number, Table, is_public_code

# The chart's own units: narrow, so that its text stays legible on a phone, where it is drawn
# at about 0.7 of them; the page keeps it at most 36rem wide (site.css).
WIDTH = 480
HEIGHT = 300
FONT_SIZE = 14  # the labels' size in the chart's units (site.css draws them at this size)
VALUE_FONT_SIZE = 13
LEGEND_BOX = 16
LEGEND_COLUMNS = 2  # a programme's name is up to 9 Chinese characters
MAX_LABELLED_ROWS = 12  # bars with their values written on
MAX_AXIS_LABELS = 12
CJK = re.compile(r"[\u2e80-\u9fff\uff00-\uffef]")

# The fills that tell series apart, on an 8×8 tile: solid, diagonal stripes, dots, a grid,
# horizontal stripes, then the same again. site.css colours them (.chart-paper, .chart-ink-N).
_TILE = (
    '<pattern id="{id}" width="8" height="8" patternUnits="userSpaceOnUse"{extra}>{body}</pattern>'
)
_PAPER = '<rect class="chart-paper" width="8" height="8"/>'
PATTERNS = (
    ("", '<rect class="chart-ink-0" width="8" height="8"/>'),
    (' patternTransform="rotate(45)"', _PAPER + '<rect class="chart-ink-1" width="4" height="8"/>'),
    ("", _PAPER + '<circle class="chart-ink-2" cx="4" cy="4" r="2.4"/>'),
    ("", _PAPER + '<path class="chart-line-3" d="M0 4H8M4 0V8"/>'),
    ("", _PAPER + '<rect class="chart-ink-4" width="8" height="3.5"/>'),
)


@dataclass(frozen=True)
class Chart:
    """What to draw of a table: its charted columns as series over its rows."""

    id: str  # unique on the page: the SVG's id, and the prefix of its title, desc and patterns
    title: str
    description: str
    kind: str = "bar"  # "bar" (series side by side), "stacked", "horizontal" (stacked, by row)
    width: int = WIDTH
    height: int = HEIGHT


def text_width(text: str, size: int = FONT_SIZE) -> float:
    """Roughly how wide ``text`` is drawn: a Chinese character is a full em, others ~0.6."""
    wide = len(CJK.findall(text))
    return (wide + 0.6 * (len(text) - wide)) * size


def nice_step(top: Number, ticks: int = 5) -> int:
    """A whole step (1, 2 or 5 times a power of ten) giving about ``ticks`` steps up to ``top``."""
    rough = max(float(top), 1.0) / ticks
    power = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 5, 10):
        if factor * power >= rough:
            return max(1, int(factor * power))
    return max(1, int(10 * power))  # not reached


def value_text(value: Number | None) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


def label_every(count: int, horizontal: bool) -> int:
    """Every how many categories the axis names one: all when they fit (at most 12 months)."""
    return 1 if horizontal or count <= MAX_AXIS_LABELS else math.ceil(count / MAX_AXIS_LABELS)


def _legend_room(series: int) -> int:
    """What the legend needs below the chart beyond what pygal reckons: it counts its rows as
    series // columns, one short when they do not divide."""
    columns = min(series, LEGEND_COLUMNS)
    rows, reckoned = math.ceil(series / columns), max(1, series // columns)
    return math.ceil((rows - reckoned) * 1.5 * max(LEGEND_BOX, FONT_SIZE))


def _config(chart: Chart, series: int, rows: int, values_max: Number) -> dict:
    step = nice_step(values_max)
    top = step * max(1, math.ceil(float(values_max) / step))
    style = Style(
        font_family="inherit",
        label_font_size=FONT_SIZE,
        major_label_font_size=FONT_SIZE,
        legend_font_size=FONT_SIZE,
        value_font_size=VALUE_FONT_SIZE,
        title_font_size=FONT_SIZE,
        tooltip_font_size=FONT_SIZE,
        no_data_font_size=FONT_SIZE,
    )
    return {
        "style": style,
        "width": chart.width,
        "height": chart.height,
        "js": [],
        "css": [],
        "classes": ["chart"],
        "disable_xml_declaration": True,
        "pretty_print": False,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": min(series, LEGEND_COLUMNS),
        "legend_box_size": LEGEND_BOX,
        "truncate_legend": -1,
        "truncate_label": -1,
        # Values on the bars while they have room: few bars, one or two series.
        "print_values": rows <= MAX_LABELLED_ROWS and series <= 2,
        "print_zeroes": False,
        "print_values_position": "center",
        "value_formatter": value_text,
        "y_labels": list(range(0, top + 1, step)),
        "show_minor_y_labels": True,
        "show_x_guides": False,
        "show_y_guides": True,
        "spacing": 8,
        "margin": 12,
        "margin_bottom": 12 + _legend_room(series),
        "defs": [
            _TILE.format(id=f"{chart.id}-p{index}", extra=extra, body=body)
            for index, (extra, body) in ((i, PATTERNS[i % len(PATTERNS)]) for i in range(series))
        ],
    }


# Charts drawn, by what they were drawn from: the resident builder draws the figures ahead
# (portal.statistics_pages.hold_facts), and a build redraws only the charts whose tables changed.
_drawn: dict[tuple[Chart, Table], str] = {}
DRAWN_KEPT = 32


def forget_drawn() -> None:
    """Draws every chart afresh from now on (what a benchmark of the drawing needs)."""
    _drawn.clear()


def draw(chart: Chart, table: Table) -> str:
    """The table's charted columns as an SVG chart (a string of ``<svg …>…</svg>``)."""
    key = (chart, table)
    svg = _drawn.get(key)
    if svg is None:
        svg = _draw(chart, table)
        if len(_drawn) >= DRAWN_KEPT:
            _drawn.clear()
        _drawn[key] = svg
    return svg


def _draw(chart: Chart, table: Table) -> str:
    columns = [i for i, column in enumerate(table.columns) if column.charted]
    horizontal = chart.kind == "horizontal"
    # pygal stacks a horizontal chart's rows from the bottom: reversed, they read top down.
    rows = table.rows[::-1] if horizontal else table.rows
    labels = [row.key if (not horizontal or is_public_code(row.key)) else row.label
              for row in rows]  # fmt: skip
    every = label_every(len(labels), horizontal)
    values = [[row.values[i] for row in rows] for i in columns]
    if chart.kind in ("stacked", "horizontal"):
        values_max = max(
            (sum(v or 0 for v in point) for point in zip(*values, strict=True)), default=0
        )
    else:
        values_max = max((v or 0 for series in values for v in series), default=0)
    config = _config(chart, len(columns), len(rows), values_max or 1)
    # Series named by the legend: several, or one that is a programme (the horizontal charts).
    config["show_legend"] = len(columns) > 1 or horizontal
    if horizontal:
        kind = pygal.HorizontalStackedBar
        # pygal reckons a label's width at 0.6 em a character: room for Chinese ones too.
        longest = max(labels, key=len, default="")
        extra = text_width(max(labels, key=text_width, default="")) - 0.6 * FONT_SIZE * len(longest)
        config["margin_left"] = 12 + max(0, math.ceil(extra))
    elif chart.kind == "stacked":
        kind = pygal.StackedBar
    else:
        kind = pygal.Bar
    if every > 1:
        config["x_labels_major_every"] = every
        config["show_minor_x_labels"] = False
    if not horizontal and len(labels) > 6:
        config["x_label_rotation"] = 30
    graph = kind(**config)
    graph.uuid = chart.id  # the SVG's id is "chart-<uuid>": a fixed one, not a random one
    graph.x_labels = labels
    for index, series in zip(columns, values, strict=True):
        graph.add(table.columns[index].label, series)
    graph.add_xml_filter(_accessible(chart))
    svg = graph.render(is_unicode=True)
    return _without_namespaces(svg)


def _accessible(chart: Chart) -> Callable:
    """The xml filter that makes pygal's tree the accessible, script-free chart."""

    def tidy(root):
        root.set("id", chart.id)
        root.set("role", "img")
        root.set("aria-labelledby", f"{chart.id}-title")
        root.set("aria-describedby", f"{chart.id}-desc")
        root.set("class", "chart")
        series_fill: dict[str, str] = {}
        for parent in list(root.iter()):
            for child in list(parent):
                tag = child.tag if isinstance(child.tag, str) else ""
                classes = (child.get("class") or "").split() if tag else []
                if (
                    not tag  # comments, processing instructions
                    or tag in ("script", "style", "title", "desc")
                    or {"tooltip-overlay", "overlay"} & set(classes)
                    or (tag == "text" and not (child.text or "").strip())  # a value not shown
                    or (tag == "rect" and "rect" in classes and _flat(child))  # a bar of 0
                ):
                    parent.remove(child)
                    continue
                if child.get("id", "").startswith("activate-serie"):
                    del child.attrib["id"]  # the legend's, the same in every chart
                for name in ("reactive", "tooltip-trigger"):
                    if name in classes:
                        classes.remove(name)
                        child.set("class", " ".join(classes))
                serie = next((c for c in classes if c.startswith("color-")), None)
                if serie:
                    series_fill[serie] = f"url(#{chart.id}-p{serie.split('-')[1]})"
        # Each series' bars and its legend swatch get its pattern.
        for group in root.iter("g"):
            classes = (group.get("class") or "").split()
            colour = next((c for c in classes if c.startswith("color-")), None)
            if colour and "series" in classes:
                for bar in group.iter("rect"):
                    bar.set("fill", series_fill[colour])
        for swatch in root.iter("rect"):
            colour = next(
                (c for c in (swatch.get("class") or "").split() if c.startswith("color-")), None
            )
            if colour:
                swatch.set("fill", series_fill[colour])
        _anchor_axis_labels(root)
        title = etree.Element("title", id=f"{chart.id}-title")
        title.text = chart.title
        desc = etree.Element("desc", id=f"{chart.id}-desc")
        desc.text = chart.description
        root.insert(0, desc)
        root.insert(0, title)
        return root

    return tidy


def _anchor_axis_labels(root) -> None:
    """Where each axis label hangs from its point, as pygal's own stylesheet would say (it is
    not kept): centred under the x axis (from its start when turned), left of the y axis."""
    for axis in root.iter("g"):
        classes = (axis.get("class") or "").split()
        if "axis" not in classes:
            continue
        for label in axis.iter("text"):
            if "y" in classes:
                label.set("text-anchor", "end")
            elif "x" in classes:
                label.set("text-anchor", "start" if label.get("transform") else "middle")


def _flat(bar) -> bool:
    return float(bar.get("height") or 0) == 0 or float(bar.get("width") or 0) == 0


_NAMESPACES = re.compile(r' xmlns(?::xlink)?="[^"]*"')


def _without_namespaces(svg: str) -> str:
    """Inline in HTML the SVG needs no namespace declarations: the parser knows the element."""
    head, rest = svg.split(">", 1)
    if "xlink:" in rest:
        return svg
    return _NAMESPACES.sub("", head) + ">" + rest
