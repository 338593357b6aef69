"""The expression language of specs, rules and schemes, computed as the office suites compute."""
