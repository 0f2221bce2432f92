"""`make load`: Locust against the production server on PostgreSQL, then a check in the
database that every acknowledged write is there exactly once and none was overwritten."""
