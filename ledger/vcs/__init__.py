"""Git (vcs/git.py runs it), the two sides of a diff, an incident's history, snapshots of a revision."""
