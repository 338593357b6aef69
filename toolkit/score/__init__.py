"""Score: scoring schemes, rules, the scoring stage, the scoring sheet and score cards."""
