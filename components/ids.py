"""Ids of the app shell (the pages' own ids live in ``pages/<page>/ids.py``, prefixed ``<page>-``).

Tests and users' automation find controls by these ids; they are part of the public interface.
"""
URL = "app-url"
NAV = "app-nav"
NAV_TOGGLE = "app-nav-toggle"
NAV_COLLAPSE = "app-nav-collapse"
NAV_INSIGHTS = "app-nav-insights"
COPY_LINK = "app-copy-link"
COPY_LINK_DONE = "app-copy-link-done"
INPUT_ERROR = "app-input-error"  # the shell's alert for a request whose values could not be used
