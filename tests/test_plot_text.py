"""User text in chart labels is shown as typed, never rendered as plotly's HTML subset."""
from __future__ import annotations

import pandas as pd

from components.figures import plot_text


def test_plot_text_escapes_markup():
    assert plot_text("<b>Fashion</b> & co") == "&lt;b&gt;Fashion&lt;/b&gt; &amp; co"
    assert plot_text("Île-de-France") == "Île-de-France"


def test_custom_region_name_with_markup_in_the_top_chart_and_compare_labels():
    from pages.category.figures import top_chart
    from pages.compare.figures import label

    top = pd.DataFrame({"region_id": ["custom:x", "DE11"], "region_name": ["<b>Evil</b>", "Stuttgart"],
                        "employment": [10.0, 20.0], "lq": [1.0, 2.0], "stars": [0, 1]})
    ui = {"employment_unit": "persons employed"}
    fig = top_chart(top, "<i>Fashion</i>", 2015, "NUTS 2 regions", ui)
    ys = list(fig.data[0].y)
    assert "&lt;b&gt;Evil&lt;/b&gt; (custom)" in ys and not any("<b>Evil" in y for y in ys)
    assert label("custom:x", "<b>Evil</b>", True) == "<b>&lt;b&gt;Evil&lt;/b&gt; (custom)</b>"
