"""The gate kiosk program. It runs on a box without Flask or the database: it never imports app/."""
VERSION = "0.1.0"
