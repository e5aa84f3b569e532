"""Every marked string of the core pages has a bokmål translation, and the catalogue has no guesses."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIRS = {"lists_ui", "followups", "share", "selfservice"}  # their own `workflows` catalogue
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("templates/**.html", "jinja2")]


def core_message_ids() -> set[str]:
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    skip = lambda dirname: Path(dirname).name not in WORKFLOW_DIRS | {"__pycache__"}  # noqa: E731
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / "app", METHODS, keywords=keywords, directory_filter=skip):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalogue(domain: str):
    with open(ROOT / "app" / "translations" / "nb" / "LC_MESSAGES" / f"{domain}.po", "rb") as handle:
        return read_po(handle, locale="nb")


def test_every_core_string_is_translated_to_bokmal():
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalogue("messages") if m.id}
    missing = sorted(i for i in core_message_ids()
                     if i not in translated or not all(_strings(translated[i].string)))
    assert not missing, f"run scripts/i18n.sh update and translate: {missing}"


def test_the_core_catalogue_has_no_fuzzy_entries():
    assert not [m.id for m in catalogue("messages") if m.id and m.fuzzy]


def _strings(value):
    return value if isinstance(value, tuple) else (value,)
