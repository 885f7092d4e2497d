"""The MikroTik RouterOS driver: sessions, plans, undo, readers of its output."""
