"""Callbacks of the region page."""
