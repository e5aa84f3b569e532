"""Pure rendering of the § 15 list and its companions: frozen dataclasses in, bytes out.

Never imports app/, Flask or SQLAlchemy (tests/unit/test_layers.py enforces it), so the documents
can be rendered and tested without a database.
"""
