"""Rules only: no HTTP, no SQL. Everything a dialect calls lives in `service.py`."""
