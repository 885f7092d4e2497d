"""Intended configs rendered from the templates, and the runners for work that needs CPUs."""
