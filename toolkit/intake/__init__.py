"""Intake: walking what is offered, archives, and OOXML/BIFF/OLE checks before any reader parses a file."""
