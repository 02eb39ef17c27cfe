"""Callbacks of the map page."""
