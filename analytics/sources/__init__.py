"""Build inputs: readers of the raw files (Europe, US), imputation, NUTS recoding, geometry, relatedness.

Code here (with ``analytics/metrics`` and ``analytics/build.py``) shapes the build's output, so
the build fingerprint covers these folders: editing any module here triggers a rebuild.
"""
