"""Ids of the related-clusters page, all prefixed ``related-``."""
PREFIX = "related"
URL = "related-url"
NOTES = "related-notes"
DATASET = "related-dataset"
LEVEL = "related-level"
YEAR = "related-year"
REGION = "related-region"
LQ = "related-lq"                 # the LQ threshold slider
NETWORK = "related-network"
NETWORK_SVG = "related-network-svg"
DENSITY = "related-density"
DENSITY_SVG = "related-density-svg"
SUMMARY = "related-summary"       # one sentence on the region's opportunities
TABLE = "related-table"           # opportunities: LQ below the threshold, highest density first
CSV_BTN = "related-csv-btn"
DOWNLOAD = "related-download"
