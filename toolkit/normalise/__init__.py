"""Normalisers: what units really type, turned into typed values."""
