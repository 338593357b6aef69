"""Score: scoring schemes, rules, the scoring stage, the scoring sheet and score cards."""

# The modules other packages may import (each module's own __all__ says which names).
__all__ = ["adjustments", "cards", "engine", "rules", "scheme", "scheme_model", "scheme_rules", "sheet", "stage", "words"]
