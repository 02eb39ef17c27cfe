"""Ids of the landing page (/), all prefixed ``home-``."""
SEARCH = "home-search"            # dcc.Dropdown: "find my region" (options from the server as one types)
SEARCH_HELP = "home-search-help"
