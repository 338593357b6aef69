"""Writing files safely: CSV and xlsx writers, formula safety, names, figures, print layout."""
