"""Callbacks of the app shell: the navbar's "Copy link" button (clientside, assets/shell.js)."""
from dash import ClientsideFunction, Input, Output, clientside_callback

from layouts import ids

clientside_callback(
    ClientsideFunction(namespace="shell", function_name="copy_link"),
    Output(ids.COPY_LINK_DONE, "children"),
    Input(ids.COPY_LINK, "n_clicks"),
    prevent_initial_call=True,
)
