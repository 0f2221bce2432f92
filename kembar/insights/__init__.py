"""Insights: partnership health and dormancy, pivot analytics, the SDG report, the world map and
the reports for the ministry, computed from what the other apps hold. Two subpackages, `health`
and `analytics`, over the cache machinery both use (changes.py)."""
