"""What netprov keeps between runs: the journal (runs, steps, sealed backups, site locks),
the state folder, git at the edge."""
