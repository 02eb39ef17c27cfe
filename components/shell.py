"""The app shell: navbar (collapsing on a phone) with the "Copy link" button, and its callbacks."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, clientside_callback, html

from components import ids
from components.routes import BUILD, COMPARE, HOME, MAP, METHODOLOGY, ORGANISATIONS, PARTNERS

NAV_ITEMS = [("Map", MAP), ("Organisations", ORGANISATIONS), ("Partners", PARTNERS), ("Build your own", BUILD),
             ("Compare", COMPARE), ("Methodology & sources", METHODOLOGY)]
# the insight pages declare their routes in their own packages (components never import pages): plain paths here
INSIGHTS = [("Cluster strength and prosperity", "/insights/prosperity"), ("Related clusters", "/insights/related"),
            ("Europe and the US side by side", "/transatlantic")]


def _insights_menu() -> dbc.DropdownMenu:
    return dbc.DropdownMenu([dbc.DropdownMenuItem(label, href=dash.get_relative_path(path))
                             for label, path in INSIGHTS],
                            label="Insights", nav=True, in_navbar=True, id=ids.NAV_INSIGHTS)


def navbar() -> dbc.Navbar:
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Cluster Observatory", href=HOME.href()),
            # Bootstrap's toggler, labelled (dbc.NavbarToggler takes no aria attributes); below 768 px
            # the links and "Copy link" fold into the collapse it opens
            html.Button(html.Span(className="navbar-toggler-icon"), id=ids.NAV_TOGGLE, n_clicks=0, type="button",
                        className="navbar-toggler", **{"aria-label": "Menu: show the pages",
                                                       "aria-controls": ids.NAV_COLLAPSE, "aria-expanded": "false"}),
            dbc.Collapse([
                dbc.Nav([dbc.NavItem(dbc.NavLink(label, href=route.href())) for label, route in NAV_ITEMS[:-1]]
                        + [_insights_menu()]
                        + [dbc.NavItem(dbc.NavLink("Present", href=dash.get_relative_path("/present")
                                                   + "?metric=lq&over=category"))]
                        + [dbc.NavItem(dbc.NavLink(label, href=route.href())) for label, route in NAV_ITEMS[-1:]],
                        navbar=True, id=ids.NAV),
                html.Div([
                    html.Span(id=ids.COPY_LINK_DONE, className="copy-link-done text-white small me-2",
                              role="status", **{"aria-live": "polite"}),
                    dbc.Button("Copy link", id=ids.COPY_LINK, color="light", outline=True, size="sm",
                               title="Copy the address of this view (every setting is in the link)"),
                ], className="ms-auto d-flex align-items-center"),
            ], id=ids.NAV_COLLAPSE, navbar=True, is_open=False),
        ], fluid=True),
        color="primary", dark=True, className="mb-3 app-navbar", expand="md",
    )


clientside_callback(
    ClientsideFunction(namespace="shell", function_name="copy_link"),
    Output(ids.COPY_LINK_DONE, "children"),
    Input(ids.COPY_LINK, "n_clicks"),
    prevent_initial_call=True,
)

clientside_callback(  # the toggler opens and closes the menu (and says so: aria-expanded); a new page closes it
    """function (n, pathname, open) {
        var trig = (window.dash_clientside.callback_context.triggered || []).map(function (t) { return t.prop_id; });
        var next = trig.indexOf('""" + ids.NAV_TOGGLE + """.n_clicks') >= 0 ? !open : false;
        var button = document.getElementById('""" + ids.NAV_TOGGLE + """');
        if (button) { button.setAttribute('aria-expanded', next ? 'true' : 'false'); }
        return next;
    }""",
    Output(ids.NAV_COLLAPSE, "is_open"),
    Input(ids.NAV_TOGGLE, "n_clicks"), Input(ids.URL, "pathname"), State(ids.NAV_COLLAPSE, "is_open"),
    prevent_initial_call=True,
)
