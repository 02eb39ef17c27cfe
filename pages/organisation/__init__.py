"""One organisation's page, `/organisation/<id>`."""
