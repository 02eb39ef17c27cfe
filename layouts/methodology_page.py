"""methodology page layout (placeholder until the page is built)."""
from dash import html


def layout(**_kwargs):
    return html.Div(html.H2("methodology: coming soon"))
