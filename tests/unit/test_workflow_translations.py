"""Every string of the list-workflow pages has its bokmål translation (bokmål is the default language)."""
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW_DIRS = ("lists_ui", "followups", "share", "selfservice")  # as in scripts/i18n.sh
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}


def extracted_ids() -> set:
    ids = set()
    for folder in WORKFLOW_DIRS:
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / "app" / folder, METHODS, keywords=KEYWORDS):
            ids.add(message if isinstance(message, str) else message[0])
    return ids


def test_every_workflow_string_has_a_bokmal_translation():
    with open(ROOT / "app/translations/nb/LC_MESSAGES/workflows.po", "rb") as po:
        catalog = read_po(po)
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                  if m.id and (m.string if isinstance(m.string, str) else all(m.string))}
    missing = sorted(extracted_ids() - translated)
    assert not missing, f"run scripts/i18n.sh update and translate: {missing}"
