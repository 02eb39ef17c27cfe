"""Region profile (/region/<dataset>/<region_id>): key figures, portfolio, charts, custom regions too."""
