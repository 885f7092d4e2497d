"""The inventory: loaded and validated with every problem at once, cross-checked, written
back, selected from; Nautobot as its source; Nornir's hosts."""
