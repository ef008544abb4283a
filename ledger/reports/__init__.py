"""Pure reports over entries: diff, timeline, stats, dupes."""
