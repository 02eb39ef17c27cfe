"""The landing page (/): the datasets, what they cover, and where to start."""
