"""Feedback workbooks (退回修改) for units whose return is faulty."""
