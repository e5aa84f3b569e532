"""The site's safety induction (HMS-introduksjon): when a completion still counts, and the quiz.

Pure rules: the service passes in the site's settings, the person's completions and today.
"""
from dataclasses import dataclass
from datetime import date

from app.domain.enums import InductionMode

REFUSE, WARN, OFF = InductionMode.REFUSE.value, InductionMode.WARN.value, InductionMode.OFF.value
MODES = (REFUSE, WARN, OFF)
LANGUAGES = ("nb", "en", "pl", "lt")  # nb and en are required; pl and lt are optional
MISSING = "induction_missing"  # the gate's reason (refuse) and warning (warn)


@dataclass(frozen=True)
class Completion:
    version: int
    completed_on: date  # the site's local date


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; the 31st becomes the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def valid_until(completion: Completion, valid_months: int) -> date:
    """The last day a completion counts (the day before the same date `valid_months` later)."""
    return date.fromordinal(add_months(completion.completed_on, valid_months).toordinal() - 1)


def has_valid(completions: list[Completion], required_version: int, valid_months: int, today: date) -> bool:
    """Whether any completion of a version still required is within its validity on `today`."""
    return any(c.version >= required_version and valid_until(c, valid_months) >= today for c in completions)


def gate_outcome(mode: str, completed: bool) -> str | None:
    """What the gate does about the induction: "refuse", "warn" or None (nothing to say)."""
    if completed or mode not in (REFUSE, WARN):
        return None
    return mode


def parse_questions(text: str) -> list[dict]:
    """Questions from a small plain-text format, one block per question, blank line between:

        Hvor er møteplassen? | Where is the muster point?
        - Ved porten | At the gate
        * Ved brakkeriggen | By the site huts      (the right answer starts with *)

    A line with no "|" uses the same words in both languages. Raises ValueError on a question
    without options or without exactly one right answer.
    """
    questions = []
    for block in [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]:
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        head, options = lines[0], lines[1:]
        right = [i for i, line in enumerate(options) if line.startswith("*")]
        if len(options) < 2 or len(right) != 1 or not all(line[:1] in "-*" for line in options):
            raise ValueError(f"question {len(questions) + 1}: give at least two options, exactly one starting with *")
        questions.append({"q": _words(head), "options": [_words(line[1:]) for line in options], "answer": right[0]})
    return questions


def _words(text: str) -> dict:
    nb, _, en = text.partition("|")
    return {"nb": nb.strip(), "en": (en or nb).strip()}


def answers_right(questions: list[dict], answers: list[int | None]) -> bool:
    """Every question answered with its right option."""
    return len(answers) == len(questions) and all(a == q["answer"] for q, a in zip(questions, answers))


# ---- pictures in the text -------------------------------------------------------------------

MAX_IMAGE_BYTES = 2 * 1024 * 1024
MAX_IMAGES_PER_SITE = 20
IMAGE_REF_PREFIX = "bilde:"  # the text refers to an uploaded picture as ![alt](bilde:12)


def image_type(data: bytes) -> str | None:
    """The picture's mimetype read from its first bytes (PNG, JPEG or WebP); None for anything else,
    whatever the file's name or the browser says."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def image_ref_id(src: str) -> int | None:
    """The picture id of a `bilde:12` reference; None for any other address."""
    rest = src[len(IMAGE_REF_PREFIX):] if src.lower().startswith(IMAGE_REF_PREFIX) else ""
    return int(rest) if rest.isdigit() and len(rest) <= 9 else None
