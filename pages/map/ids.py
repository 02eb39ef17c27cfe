"""Ids of the map explorer (/map), all prefixed ``map-``."""
DATASET = "map-dataset"
LEVEL = "map-level"
CATEGORY = "map-category"
METRIC = "map-metric"
YEAR = "map-year"
START_YEAR = "map-start-year"
RULES = "map-rules"
DENOMINATOR = "map-denominator"
CREG = "map-creg"                    # custom region drawn on the map ("" = none)
ORGS = "map-orgs"                    # switch: the cluster organisations layer (orgs=on)
GRAPH = "map-graph"
TABLE = "map-table"                  # the table's box; the grid inside has id {"type": TABLE_GRID, "view": <query>}
TABLE_GRID = "map-table-grid"
TABLE_TITLE = "map-table-title"
DOWNLOAD = "map-download"
DOWNLOAD_BTN = "map-download-btn"
NOTE = "map-note"
STATE = "map-state"                  # dcc.Store: {"geo": "<dataset>/<level>", "state": {...}} of the figure shown
LEGEND = "map-legend"
SOURCE = "map-source"
SVG_BTN = "map-svg-btn"
PREFIX = "map"                       # url stores: map-url, map-url-written, map-url-pop
URL = "map-url"
URL_POP = "map-url-pop"
