"""Callbacks of the methodology page."""
