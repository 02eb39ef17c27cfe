"""/upload: analyse your own data (layout, callbacks, the file endpoint)."""
