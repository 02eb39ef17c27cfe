"""Shared UI pieces every page uses: the app shell, URL state and routes, controls, tables,
figure style, the choropleth, messages and dataset labels (Dash components; no numbers computed)."""
