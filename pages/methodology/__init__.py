"""Methodology and sources (/methodology): formulas, star rules, categories, sources, data quality."""
