"""The offline model of a Cisco IOS / IOS-XE router."""
