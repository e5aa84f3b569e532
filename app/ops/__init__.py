"""Running Portvakt in production: backups and metrics (issue 19)."""
