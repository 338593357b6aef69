"""toolkit: distribute assessment templates, collect and consolidate the returns."""

__version__ = "0.1.0"
__all__ = ["__version__"]
