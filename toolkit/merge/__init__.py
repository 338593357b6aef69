"""Merge: accepted returns into out/values.csv and out/consolidated.xlsx."""
