"""Map explorer (/map): choropleth of any metric, category, level and year, with its table."""
