"""Charts of answers, for every front end: which chart an answer makes (bot/charts/kinds.py)
and the chart drawn (bot/charts/drawing.py)."""
