"""Transatlantic view (/transatlantic): one category side by side in Europe and the US, and which side
is more clustered per category (Hoover concentration index and share of employment in strong clusters)."""
