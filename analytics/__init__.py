"""Cluster Observatory analytics engine: raw data → cluster metrics (no Dash imports here)."""
