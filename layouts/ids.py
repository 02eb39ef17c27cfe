"""Stable component ids, namespaced per page (`<page>-<thing>`), in one place.

Tests and users' automation find controls by these ids; they are part of the public
interface — change them only with a note in the changelog.
"""

# Shell
URL = "app-url"
NAV = "app-nav"
COPY_LINK = "app-copy-link"
COPY_LINK_DONE = "app-copy-link-done"

# Map explorer (/map)
MAP_DATASET = "map-dataset"
MAP_LEVEL = "map-level"
MAP_CATEGORY = "map-category"
MAP_METRIC = "map-metric"
MAP_YEAR = "map-year"
MAP_START_YEAR = "map-start-year"
MAP_RULES = "map-rules"
MAP_DENOMINATOR = "map-denominator"
MAP_GRAPH = "map-graph"
MAP_TABLE = "map-table"
MAP_DOWNLOAD = "map-download"
MAP_DOWNLOAD_BTN = "map-download-btn"
MAP_NOTE = "map-note"
MAP_STATE = "map-state"
# Map explorer, added with the page
MAP_POP = "map-pop"                  # dcc.Store set by assets/map_url.js on back/forward: {"search", "t"}
MAP_URL_SYNC = "map-url-sync"        # dcc.Store written by the clientside history.pushState callback
MAP_LEGEND = "map-legend"            # notes under the map ("grey = no data", colour cap)
MAP_SOURCE = "map-source"            # source line: source, year, level, benchmark area
MAP_SVG_BTN = "map-svg-btn"          # SVG download of the map (Plotly.downloadImage)
MAP_TABLE_TITLE = "map-table-title"

# Region profile (/region/<dataset>/<region_id>)
REGION_KEYFIGS = "region-keyfigs"
REGION_YEAR = "region-year"
REGION_START_YEAR = "region-start-year"
REGION_RULES = "region-rules"
REGION_DENOMINATOR = "region-denominator"
REGION_BUBBLE_X = "region-bubble-x"
REGION_TABLE = "region-table"
REGION_BUBBLE = "region-bubble"
REGION_TIMELINE = "region-timeline"
REGION_DOWNLOAD = "region-download"
REGION_DOWNLOAD_BTN = "region-download-btn"

# Category profile (/category/<dataset>/<category_id>)
CATEGORY_YEAR = "category-year"
CATEGORY_LEVEL = "category-level"
CATEGORY_TOP_TABLE = "category-top-table"
CATEGORY_TOP_CHART = "category-top-chart"
CATEGORY_MAP = "category-map"
CATEGORY_MEMBERS = "category-members"
CATEGORY_RELATED = "category-related"
CATEGORY_DOWNLOAD = "category-download"
CATEGORY_DOWNLOAD_BTN = "category-download-btn"

# Methodology and sources (/methodology)
METHOD_QUALITY_DATASET = "method-quality-dataset"
METHOD_QUALITY = "method-quality"

# Region profile, added with the page
REGION_CONTEXT = "region-context"            # dcc.Store: {"dataset", "region_id"}
REGION_URL_SYNC = "region-url-sync"          # dcc.Store written by the clientside URL-query sync
REGION_MESSAGE = "region-message"            # alert when the region has no data in the chosen year
REGION_BODY = "region-body"
REGION_BUBBLE_NOTE = "region-bubble-note"
REGION_DIVERSIFICATION = "region-diversification"
REGION_BREADCRUMB = "region-breadcrumb"

# Category profile, added with the page
CATEGORY_CONTEXT = "category-context"        # dcc.Store: {"dataset", "category_id"}
CATEGORY_BREADCRUMB = "category-breadcrumb"
CATEGORY_MESSAGE = "category-message"          # unknown category
CATEGORY_URL_SYNC = "category-url-sync"
CATEGORY_MAP_NOTE = "category-map-note"
CATEGORY_SUBCLUSTERS = "category-subclusters"
CATEGORY_MEMBERS_DOWNLOAD_BTN = "category-members-download-btn"
CATEGORY_RELATED_DOWNLOAD_BTN = "category-related-download-btn"
CATEGORY_SUBCLUSTERS_DOWNLOAD_BTN = "category-subclusters-download-btn"

# Methodology and sources, added with the page
METHOD_IMPUTED_DOWNLOAD = "method-imputed-download"
METHOD_IMPUTED_DOWNLOAD_BTN = "method-imputed-download-btn"
