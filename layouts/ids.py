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

# Peer benchmarking (/compare)
COMPARE_CONTEXT = "compare-context"          # dcc.Store: {"dataset", "level", "url_peers"}
COMPARE_URL_SYNC = "compare-url-sync"        # dcc.Store written by the clientside URL-query sync
COMPARE_NAV = "compare-nav"                  # dcc.Store written by the clientside dataset/level reload
COMPARE_DATASET = "compare-dataset"
COMPARE_LEVEL = "compare-level"
COMPARE_REGION = "compare-region"
COMPARE_CREG = "compare-creg"                # custom focal region spec (Name=ID+ID)
COMPARE_YEAR = "compare-year"
COMPARE_START_YEAR = "compare-start-year"
COMPARE_RULES = "compare-rules"
COMPARE_DENOMINATOR = "compare-denominator"
COMPARE_BASIS = "compare-basis"
COMPARE_BASIS_TEXT = "compare-basis-text"    # "Peers: the 8 NUTS 2 regions most similar in …" + basis values
COMPARE_PEERS = "compare-peers"              # multi-select of the peer regions
COMPARE_SUGGESTED = "compare-suggested"      # dcc.Store: the suggested peer ids
COMPARE_RESET_PEERS = "compare-reset-peers"
COMPARE_MESSAGE = "compare-message"
COMPARE_FOCAL = "compare-focal"              # heading naming the focal region
COMPARE_BODY = "compare-body"
COMPARE_HEATMAP = "compare-heatmap"
COMPARE_HEATMAP_NOTE = "compare-heatmap-note"
COMPARE_CATEGORY = "compare-category"
COMPARE_BARS = "compare-bars"
COMPARE_GROWTH = "compare-growth"
COMPARE_SCORECARD = "compare-scorecard"
COMPARE_SOURCE = "compare-source"            # class of the source lines is source-line; this is the heatmap's
COMPARE_BARS_SOURCE = "compare-bars-source"
COMPARE_SCORECARD_SOURCE = "compare-scorecard-source"
COMPARE_DOWNLOAD = "compare-download"
COMPARE_DOWNLOAD_BTN = "compare-download-btn"

# Custom definitions ("Build your own"), added with the builder
MAP_CCAT = "map-ccat"                        # dcc.Store: the custom category spec of the map (or None)
BUILD_MESSAGE = "build-message"              # page-level alert (e.g. a malformed spec in the link)
BUILD_URL_SYNC = "build-url-sync"
BUILD_DATASET = "build-dataset"              # one dataset for both builders
BUILD_CAT_VALID = "build-cat-valid"          # dcc.Store: the valid category spec (or None)
BUILD_REG_VALID = "build-reg-valid"          # dcc.Store: the valid region spec (or None)
BUILD_CAT_NAME = "build-cat-name"
BUILD_CAT_CATEGORIES = "build-cat-categories"
BUILD_CAT_INDUSTRIES = "build-cat-industries"
BUILD_CAT_FEEDBACK = "build-cat-feedback"
BUILD_CAT_SPEC = "build-cat-spec"
BUILD_CAT_TOTAL = "build-cat-total"
BUILD_CAT_MEMBERS = "build-cat-members"
BUILD_CAT_MAP_LINK = "build-cat-map-link"
BUILD_CAT_PROFILE_LINK = "build-cat-profile-link"
BUILD_CAT_SAVE = "build-cat-save"
BUILD_REG_LEVEL = "build-reg-level"
BUILD_REG_NAME = "build-reg-name"
BUILD_REG_MEMBERS = "build-reg-members"
BUILD_REG_MAP = "build-reg-map"
BUILD_REG_FEEDBACK = "build-reg-feedback"
BUILD_REG_SPEC = "build-reg-spec"
BUILD_REG_SUMMARY = "build-reg-summary"
BUILD_REG_PROFILE_LINK = "build-reg-profile-link"
BUILD_REG_COMPARE_LINK = "build-reg-compare-link"
BUILD_REG_SAVE = "build-reg-save"
BUILD_LIB_TABLE = "build-lib-table"          # the list of saved definitions (html.Table)
BUILD_LIB_SELECT = "build-lib-select"        # dropdown: which saved definition
BUILD_LIB_LOAD = "build-lib-load"
BUILD_LIB_NEW_NAME = "build-lib-new-name"
BUILD_LIB_RENAME = "build-lib-rename"
BUILD_LIB_DELETE = "build-lib-delete"
BUILD_LIB_CONFIRM = "build-lib-confirm"
BUILD_LIB_MESSAGE = "build-lib-message"
BUILD_LIB_VERSION = "build-lib-version"      # dcc.Store bumped after every library write
CUSTOM_MESSAGE = "custom-message"            # region/category profile: malformed ccat/creg
