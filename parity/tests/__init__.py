"""parity's own tests (run by ``pytest parity/``; not installed)."""
