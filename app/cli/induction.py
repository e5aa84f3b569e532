"""`flask induction set|complete|link|csv`: a site's safety induction (the same service as the web app)."""
import click
from flask.cli import AppGroup

from app.clock import utcnow
from app.domain import induction as rules
from app.services import induction
from app.services.induction import InductionError

group = AppGroup("induction", help="HMS-introduksjon / site induction.")
ACTOR = "cli"


def _fail(error: InductionError):
    return click.ClickException(f"HMS-introduksjon / induction: {error.code}")


@group.command("set")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--mode", type=click.Choice(rules.MODES))
@click.option("--valid-months", type=int)
@click.option("--text", "text_nb", type=click.File(encoding="utf-8"), help="Bokmål, Markdown.")
@click.option("--text-en", type=click.File(encoding="utf-8"), help="English, Markdown (default: the bokmål text).")
@click.option("--text-pl", type=click.File(encoding="utf-8"))
@click.option("--text-lt", type=click.File(encoding="utf-8"))
@click.option("--questions", type=click.File(encoding="utf-8"),
              help="Questions: 'nb | en' lines, options '- …', the right one '* …', blank line between.")
@click.option("--require-again", is_flag=True, help="Only this new version counts: everyone takes it again.")
def set_command(site_id, mode, valid_months, text_nb, text_en, text_pl, text_lt, questions, require_again):
    """Create or change a site's induction and what the gate does without one."""
    texts = None
    if text_nb is not None:
        nb = text_nb.read()
        texts = {"nb": nb, "en": text_en.read() if text_en else nb,
                 "pl": text_pl.read() if text_pl else "", "lt": text_lt.read() if text_lt else ""}
    try:
        parsed = rules.parse_questions(questions.read()) if questions is not None else None
        row = induction.set_induction(site_id, ACTOR, utcnow(), mode=mode, valid_months=valid_months,
                                      texts=texts, questions=parsed, require_again=require_again)
    except InductionError as error:
        raise _fail(error) from None
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"HMS-introduksjon / induction: {row.mode}, versjon / version {row.version}, "
               f"gyldig / valid {row.valid_months} mnd / months")


@group.command("complete")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--card", "card_number", required=True, help="HMS-kortnummer / HMS card number.")
@click.option("--by", "held_by", required=True, help="Hvem holdt introduksjonen / who held the briefing.")
def complete(site_id: int, card_number: str, held_by: str) -> None:
    """Record an in-person induction (briefing) for the holder of a card."""
    try:
        done = induction.complete_by_card(site_id, card_number, utcnow(), ACTOR, held_by)
    except InductionError as error:
        raise _fail(error) from None
    click.echo(f"Registrert / recorded: versjon / version {done.version}")


@group.command("csv")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--out", type=click.File("wb"), required=True)
def csv_command(site_id: int, out) -> None:
    """Who completed which version when."""
    out.write(induction.completions_csv(site_id))
