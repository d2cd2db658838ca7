"""The bottom layer every other netintel package may import: the one exception
tree (:mod:`core.errors`) and the domain rules shared by ingest and analytics."""
