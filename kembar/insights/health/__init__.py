"""Partnership health: the score and its factors, dormancy, the next step, the Needs attention
list and the world map (score.py), with its pages (views.py, urls.py) and API (api.py)."""
