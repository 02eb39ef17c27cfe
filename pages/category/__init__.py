"""Category profile (/category/<dataset>/<category_id>): top regions, map, members, related categories."""
