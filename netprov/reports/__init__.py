"""What people read after a run: the managers' report (Indonesian and English), the audit
pack."""
