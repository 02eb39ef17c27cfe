"""The formulas, each defined once: cluster metrics, growth, star rule sets, region indicators
(cluster strength), relatedness, peers and the prosperity fit. Pure pandas on plain tables.

The build computes the stored metrics with these functions, and the serving layer recombines
them for custom definitions, so every page, the CLI and the build give the same numbers.
"""
