"""The Cisco IOS / IOS-XE driver: sessions, plans, readers of its output."""
