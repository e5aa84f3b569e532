"""Pure rendering of lists and reports: plain data in, bytes out. Never imports app/, flask or sqlalchemy."""
