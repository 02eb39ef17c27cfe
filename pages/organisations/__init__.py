"""The directory of cluster organisations, `/organisations`."""
