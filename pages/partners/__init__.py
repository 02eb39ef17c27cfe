"""Partner search, `/partners`."""
