"""Page layouts (Dash components only; data come from analytics.serving.store)."""
