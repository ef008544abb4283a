"""Rows in, text / SVG / HTML out: tables, charts, diff text, chronology rows."""
