"""Readers and writers of other formats: CSV, JSON, ACLED, UCDP GED, iCalendar."""
