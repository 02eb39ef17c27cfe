"""Labelled form controls: every control has a visible <label for=…>; settings pickers shared by pages."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from analytics.metrics.growth import start_label
from analytics.metrics.stars import RULE_SETS
from components.labels import DENOMINATOR_LABELS


def labelled_control(label: str, control, control_id: str, md: int = 3, help_text: str | None = None) -> dbc.Col:
    """A form column: a visible label above the control (dropdown, radio items, input …)."""
    children = [dbc.Label(label, html_for=control_id, className="fw-semibold small mb-1"), control]
    if help_text:
        children.append(dbc.FormText(help_text, className="d-block"))
    return dbc.Col(children, xs=12, md=md, className="mb-2")


def field(label: str, control, control_id: str, help_text: str | None = None) -> html.Div:
    """A stacked form field (label, control, optional help) for a narrow settings column."""
    children = [dbc.Label(label, html_for=control_id, className="fw-semibold small mb-1"), control]
    if help_text:
        children.append(dbc.FormText(help_text, className="d-block"))
    return html.Div(children, className="mb-2 map-field")


def select(control_id: str, options: list[dict], value, **kwargs) -> dbc.Select:
    return dbc.Select(id=control_id, options=options, value=value, size="sm", **kwargs)


def value_options(values, labels: dict | None = None) -> list[dict]:
    """Dropdown options for plain values, labelled by ``labels`` where it has them."""
    labels = labels or {}
    return [{"label": labels.get(v, v), "value": v} for v in values]


def rules_options() -> list[dict]:
    return [{"label": r.label, "value": key} for key, r in RULE_SETS.items()]


def denominator_options() -> list[dict]:
    return [{"label": label, "value": key} for key, label in DENOMINATOR_LABELS.items()]


def year_options(years) -> list[dict]:
    return [{"label": str(y), "value": y} for y in years]


def start_year_options(years, year, have=None, dataset: str | None = None) -> list[dict]:
    """Start-year choices: years before ``year`` (those without data for the region disabled),
    partial-coverage years and years across a series break marked as such."""
    have = set(years if have is None else have)
    return [{"label": start_label(dataset, y, year) if y in have else f"{y} (no data)", "value": y,
             "disabled": y >= year or y not in have} for y in years]


def start_year_control(start_id: str, start_options: list[dict], start_year, md: int = 2):
    """The start-year picker every page uses ("no growth" when cleared)."""
    return labelled_control("Growth from (start year)", dcc.Dropdown(
        id=start_id, options=start_options, value=start_year, clearable=True, placeholder="no growth"),
        start_id, md=md)


def settings_controls(control_ids, years, year, start_options, start_year, rules, denominator) -> list:
    """Year, start year, star rules and LQ denominator pickers (profiles and compare)."""
    year_id, start_id, rules_id, denom_id = control_ids
    return [
        labelled_control("Year", dcc.Dropdown(id=year_id, options=year_options(years), value=year,
                                              clearable=False), year_id, md=2),
        start_year_control(start_id, start_options, start_year),
        labelled_control("Star rules", dcc.Dropdown(id=rules_id, options=rules_options(), value=rules,
                                                    clearable=False), rules_id, md=3),
        labelled_control("LQ denominator", dcc.Dropdown(id=denom_id, options=denominator_options(),
                                                        value=denominator, clearable=False), denom_id, md=5),
    ]


def window_start(year, start_year):
    """The start year a growth window uses: the one picked when it lies before the end year,
    else none (no growth). One rule for the region, category and compare pages."""
    return start_year if start_year is not None and year is not None and start_year < year else None
