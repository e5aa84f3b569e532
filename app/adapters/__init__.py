"""Outside systems behind small interfaces, chosen by configuration (see cardservice.py)."""
