"""Callbacks of the category page."""
