"""Cluster strength and prosperity (/insights/prosperity): the seed report's chart on the observatory's data,
with the fitted quadratic, the seed's published curve and a caption that says how strong the relation is."""
