"""Callbacks wiring the layouts to the analytics store."""
