"""Peer benchmarking (/compare): a region (or a custom region) against peers chosen on a stated basis."""
