"""What is proved about a config or a router: the CI gate, lint, the lockout guard,
post-change checks, drift."""
