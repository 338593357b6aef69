"""Tools around the toolkit that are not stages of a campaign (run them with ``python -m``)."""
