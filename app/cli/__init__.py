"""Command-line tools: `flask --app wsgi <group> <command>`. One module per group."""


def register(app) -> None:
    from app.cli import cards, demo, kiosks, sites, users

    for module in (cards, demo, kiosks, sites, users):
        app.cli.add_command(module.group)
