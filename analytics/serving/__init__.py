"""What the app and the CLI read: the data-manager façade over the build (``store``), the one
result cache (``cache``), custom definitions, the named views every page draws from (``views``),
the saved-definitions library and the data-quality report. Never imported by the build.
"""
