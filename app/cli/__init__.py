"""Command-line tools: `flask --app wsgi <group> <command>`. One module per group."""


def register(app) -> None:
    from app.cli import attendance, cards, companies, crews, demo, induction, kiosks, lists, retention, sites, users
    from app.cli import visitors

    for module in (attendance, cards, companies, crews, demo, kiosks, lists, retention, sites, users,
                   visitors, induction):
        app.cli.add_command(module.group)
    register_operations(app)
    register_connectors(app)


def register_operations(app) -> None:
    """Backups and e-mail notifications (issue 19)."""
    from app.cli import backup, notify

    app.cli.add_command(backup.group)
    app.cli.add_command(notify.group)


def register_connectors(app) -> None:
    """Deliveries to HMSREG and ELRAPP (issue 18)."""
    from app.cli import connectors

    app.cli.add_command(connectors.group)
