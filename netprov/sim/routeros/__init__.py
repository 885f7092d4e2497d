"""The offline model of a MikroTik RouterOS router."""
