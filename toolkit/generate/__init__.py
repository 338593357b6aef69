"""Generate: the master workbook of a template, its cells, and the per-unit outbox."""
