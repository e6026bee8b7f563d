"""Report charts: proportional, escaped, labelled, suppressed where asked, well-formed SVG."""

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from jinja2 import Environment
from markupsafe import Markup

from app.reports import charts
from app.reports.charts import bar_chart, format_count, format_rate, funnel_chart, trend_chart

SVG = "{http://www.w3.org/2000/svg}"

# Lincoln Green 2019 as pathways.disclosure publishes it: 49 started, 29 into work (59%).
LINCOLN_GREEN = [
    ("Started programme", 49, 100),
    ("Completed", 45, 45 / 49 * 100),
    ("Interviewed", "<5", "[c]"),
    ("Started job", 29, 59),
]


def parse(chart: Markup) -> ET.Element:
    return ET.fromstring(str(chart))  # noqa: S314 - our own output, not untrusted input


def bars(root: ET.Element) -> list[ET.Element]:
    return [
        rect
        for rect in root.iter(f"{SVG}rect")
        if rect.get("class") == "app-chart__bar"  # suppressed bars have a second class
    ]


def suppressed_bars(root: ET.Element) -> list[ET.Element]:
    return [
        rect
        for rect in root.iter(f"{SVG}rect")
        if "app-chart__bar--suppressed" in (rect.get("class") or "")
    ]


def texts(root: ET.Element) -> list[str]:
    return [text.text or "" for text in root.iter(f"{SVG}text")]


def title_and_desc(root: ET.Element) -> tuple[str, str]:
    return root.find(f"{SVG}title").text, root.find(f"{SVG}desc").text


def contrast_with_white(colour: str) -> float:
    """WCAG 2.2 contrast ratio of a #rrggbb colour against white."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return 1.05 / (luminance + 0.05)


def every_chart(label: str = "Burmantofts", value=12) -> list[Markup]:
    return [
        funnel_chart([(label, value, 50), ("Started job", 3, 25)], title=label),
        bar_chart([(label, value), ("Harehills", 6)], title=label),
        trend_chart([(label, value), ("2025 Q1", 6)], label),
    ]


def test_funnel_bar_lengths_are_proportional_to_the_counts():
    root = parse(funnel_chart([("Registered", 120, 100), ("Started", 60, 50), ("Job", 30, 25)]))

    widths = [float(rect.get("width")) for rect in bars(root)]

    assert widths[0] == pytest.approx(charts.BAR_MAX)
    assert widths[1] / widths[0] == pytest.approx(60 / 120)
    assert widths[2] / widths[0] == pytest.approx(30 / 120)
    assert {float(rect.get("x")) for rect in bars(root)} == {charts.PAD}


def test_funnel_writes_each_count_and_rate_beside_its_bar():
    root = parse(funnel_chart(LINCOLN_GREEN))

    assert "49 (100%)" in texts(root)
    assert "45 (92%)" in texts(root)
    assert "29 (59%)" in texts(root)


def test_a_funnel_step_without_a_rate_shows_its_count_alone():
    root = parse(funnel_chart([("Registered", 120, None), ("Started", 49, 41)]))

    assert texts(root) == ["Registered", "120", "Started", "49 (41%)"]


def test_breakdown_bar_lengths_are_proportional_to_the_values():
    rows = [("Decile 1", 62), ("Decile 2", 31), ("Decile 3", 15.5)]

    root = parse(bar_chart(rows, title="Job-start rate by IMD decile", percent=True))

    widths = [float(rect.get("width")) for rect in bars(root)]
    assert widths[0] == pytest.approx(charts.BAR_MAX)
    assert [w / widths[0] for w in widths] == pytest.approx([1, 0.5, 0.25], abs=0.01)
    assert texts(root)[1::2] == ["62%", "31%", "16%"]  # label, value, label, value...


def test_a_fixed_scale_makes_a_rate_of_one_half_a_half_length_bar():
    root = parse(bar_chart([("Harehills", 50)], title="Rate", percent=True, max_value=100))

    assert float(bars(root)[0].get("width")) == pytest.approx(charts.BAR_MAX / 2)


def test_trend_column_heights_are_proportional_and_in_quarter_order():
    points = [("2024 Q1", 10), ("2024 Q2", 20), ("2024 Q3", 5)]

    root = parse(trend_chart(points, "Job starts"))

    columns = bars(root)
    heights = [float(rect.get("height")) for rect in columns]
    tallest = charts.COLUMN_MAX
    assert heights == pytest.approx([tallest / 2, tallest, tallest / 4])
    # All stand on one baseline, left to right.
    assert len({float(r.get("y")) + float(r.get("height")) for r in columns}) == 1
    lefts = [float(rect.get("x")) for rect in columns]
    assert lefts == sorted(lefts)
    assert texts(root)[1:] == ["10", "2024 Q1", "20", "2024 Q2", "5", "2024 Q3"]


@pytest.mark.parametrize("chart", every_chart("<script>alert(1)</script>"))
def test_labels_are_escaped(chart):
    assert "<script>" not in str(chart)
    assert "&lt;script&gt;" in str(chart)
    root = parse(chart)
    assert "<script>alert(1)</script>" in texts(root)
    assert not list(root.iter(f"{SVG}script"))


def test_funnel_title_is_escaped():
    chart = funnel_chart(LINCOLN_GREEN, title='Harehills & "Gipton" <2019>')

    assert "<2019>" not in str(chart)
    assert title_and_desc(parse(chart))[0] == 'Harehills & "Gipton" <2019>'


def test_a_suppressed_count_is_hatched_labelled_and_its_rate_not_shown():
    root = parse(funnel_chart([("Registered", 120, 100), ("Interviewed", None, 3)]))

    [hatched] = suppressed_bars(root)
    assert hatched.get("fill") == f"url(#{root.find(f'{SVG}defs/{SVG}pattern').get('id')})"
    assert float(hatched.get("width")) == charts.HATCH_WIDTH
    assert texts(root) == ["Registered", "120 (100%)", "Interviewed", "suppressed"]
    assert "3%" not in str(ET.tostring(root))
    assert "Interviewed: suppressed" in title_and_desc(root)[1]


def test_suppressed_values_in_a_breakdown_and_a_trend_are_labelled():
    breakdown = parse(bar_chart([("Decile 1", None), ("Decile 2", 8)], title="Job starts"))
    trend = parse(trend_chart([("2024 Q1", 8), ("2024 Q2", None)], "Job starts"))

    for root in (breakdown, trend):
        assert len(suppressed_bars(root)) == 1
        assert len(bars(root)) == 1
        assert "suppressed" in texts(root)
        assert "suppressed means hidden to protect privacy" in title_and_desc(root)[1]


def test_disclosure_symbols_are_written_on_the_chart_and_explained_in_the_desc():
    root = parse(funnel_chart([*LINCOLN_GREEN, ("Offered", 40, "[low]")]))

    assert len(suppressed_bars(root)) == 1
    assert "<5" in texts(root)  # the count's symbol, and not its rate's
    assert "[c]" not in " ".join(texts(root))
    assert "40 ([low])" in texts(root)
    desc = title_and_desc(root)[1]
    assert "Interviewed: <5;" in desc
    assert "<5 means fewer than 5, hidden to protect privacy" in desc
    assert "[low] means too few people for a reliable rate" in desc


def test_a_secondary_suppression_symbol_in_a_breakdown_is_explained():
    root = parse(bar_chart([("Gipton", "[c]"), ("Harehills", 9)], title="Job starts by ward"))

    assert texts(root) == ["Gipton", "[c]", "Harehills", "9"]
    assert "[c] means hidden so that a small number cannot be worked out" in title_and_desc(root)[1]


def test_pandas_missing_values_count_as_suppressed():
    root = parse(bar_chart([("Decile 1", math.nan), ("Decile 2", 8)], title="Job starts"))

    assert len(suppressed_bars(root)) == 1


def test_title_and_desc_name_the_chart_and_state_every_figure():
    root = parse(funnel_chart(LINCOLN_GREEN, title="Lincoln Green 2019"))

    title, desc = title_and_desc(root)
    assert title == "Lincoln Green 2019"
    for figure in ("Started programme: 49 (100%)", "Completed: 45 (92%)", "Started job: 29 (59%)"):
        assert figure in desc
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc").get("id") == desc_id


def test_trend_desc_states_the_range_every_quarter_and_the_highest():
    root = parse(trend_chart([("2024 Q1", 12), ("2024 Q2", 30), ("2024 Q3", None)], "Job starts"))

    title, desc = title_and_desc(root)
    assert title == "Job starts by quarter"
    assert desc.startswith("Job starts, 2024 Q1 to 2024 Q3.")
    assert "2024 Q1: 12; 2024 Q2: 30; 2024 Q3: suppressed" in desc
    assert "Highest: 30 in 2024 Q2" in desc


@pytest.mark.parametrize(
    "chart",
    [
        funnel_chart([]),
        bar_chart([], title="Job starts by ward"),
        trend_chart([], "Job starts"),
    ],
)
def test_empty_input_gives_a_no_data_chart(chart):
    root = parse(chart)

    assert texts(root) == ["No data"]
    assert not bars(root)
    assert "no data" in title_and_desc(root)[1]


def test_zero_and_all_suppressed_data_draw_without_dividing_by_zero():
    zeros = parse(bar_chart([("Ward A", 0), ("Ward B", 0)], title="Starts"))
    hidden = parse(trend_chart([("2024 Q1", None), ("2024 Q2", None)], "Starts"))

    assert [float(rect.get("width")) for rect in bars(zeros)] == [0, 0]
    assert texts(zeros) == ["Ward A", "0", "Ward B", "0"]
    assert len(suppressed_bars(hidden)) == 2
    assert "Highest" not in title_and_desc(hidden)[1]


@pytest.mark.parametrize("chart", every_chart() + every_chart(value=None) + every_chart(value="<5"))
def test_charts_are_well_formed_responsive_svg_with_no_script_or_inline_style(chart):
    root = parse(chart)

    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox").startswith("0 0 ")
    assert root.get("width") is None and root.get("height") is None
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}style", f"{SVG}foreignObject")
        assert not [name for name in element.attrib if name.startswith("on") or name == "style"]


@pytest.mark.parametrize("chart", every_chart() + every_chart(value=None))
def test_text_and_graphics_meet_wcag_aa_contrast_on_their_white_ground(chart):
    root = parse(chart)

    background = root.find(f"{SVG}rect")
    assert background.get("fill") == "#ffffff"
    for text in root.iter(f"{SVG}text"):
        assert contrast_with_white(text.get("fill")) >= 4.5
    for element in root.iter():
        for paint in (element.get("fill"), element.get("stroke")):
            if paint and paint.startswith("#") and element is not background:
                assert contrast_with_white(paint) >= 3


def test_charts_render_unescaped_in_an_autoescaping_template():
    chart = bar_chart([("Harehills", 4)], title="Starts")

    rendered = Environment(autoescape=True).from_string("{{ chart }}").render(chart=chart)

    assert isinstance(chart, Markup)
    assert rendered == str(chart)


def test_different_charts_get_different_ids_and_a_given_id_is_used():
    first = parse(bar_chart([("Harehills", 4)], title="Starts"))
    second = parse(bar_chart([("Gipton", 4)], title="Starts"))
    named = parse(bar_chart([("Gipton", None)], title="Starts", chart_id="by-ward"))

    assert first.get("aria-labelledby") != second.get("aria-labelledby")
    assert named.get("aria-labelledby") == "by-ward-title by-ward-desc"
    assert named.find(f"{SVG}defs/{SVG}pattern").get("id") == "by-ward-hatch"
    with pytest.raises(ValueError, match="chart_id"):
        bar_chart([("Gipton", 4)], title="Starts", chart_id='x" onload="alert(1)')


def test_long_labels_wrap_onto_lines_inside_the_chart():
    label = "Burmantofts and Richmond Hill, Gipton and Harehills, Killingbeck and Seacroft wards"

    root = parse(bar_chart([(label, 10)], title="Starts"))

    lines = texts(root)[:-1]
    assert len(lines) == 2
    assert " ".join(lines) == label
    assert all(len(line) <= charts.LABEL_CHARS for line in lines)


def test_numpy_numbers_are_accepted():
    root = parse(bar_chart([("Harehills", np.int64(1234)), ("Gipton", np.float64(617))], title="S"))

    assert texts(root)[1::2] == ["1,234", "617"]


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (math.inf, ValueError), ([12], TypeError), (True, TypeError)],
)
def test_negative_infinite_or_non_numeric_values_are_refused(value, error):
    with pytest.raises(error):
        bar_chart([("Harehills", value)], title="Starts")


@pytest.mark.parametrize(
    ("rate", "text"),
    [
        (29 / 49 * 100, "59%"),
        (58.5, "59%"),
        (58.49, "58%"),
        (0, "0%"),
        (100, "100%"),
        ("[low]", "[low]"),
    ],
)
def test_rates_round_half_up_to_whole_percentages(rate, text):
    assert format_rate(rate) == text


def test_counts_have_thousands_separators_and_none_is_suppressed():
    assert format_count(1234567) == "1,234,567"
    assert format_count(2.5) == "2.5"
    assert format_count(None) == "suppressed"
    assert format_count(" <5 ") == "<5"
