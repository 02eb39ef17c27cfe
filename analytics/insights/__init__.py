"""Insights (Dash-free): cluster strength against prosperity, relatedness density, and European
cluster definitions derived from European co-location. Pages and the CLI call these functions."""
