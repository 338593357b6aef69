"""Validate: the checks and rectification checks run on every accepted return."""
