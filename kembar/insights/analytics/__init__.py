"""Analytics: pivot analytics (pivot.py), the SDG report (sdg.py), charts (charts.py) and the
periodic reports (reports.py), with their pages (views.py, urls.py) and API (api.py)."""
