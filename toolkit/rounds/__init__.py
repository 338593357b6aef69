"""Rounds and years: the next round, carry-over, year-on-year comparison."""
