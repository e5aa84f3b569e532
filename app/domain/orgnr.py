"""Norwegian organisation numbers (Brønnøysund): nine digits, the last a mod-11 check digit."""

WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)


def normalize_org_number(text: str) -> str:
    """Strip the spaces people type ("923 609 016") and the "NO"/"MVA" of VAT numbers."""
    cleaned = text.upper().replace(" ", "").replace(".", "")
    if cleaned.startswith("NO"):
        cleaned = cleaned[2:]
    if cleaned.endswith("MVA"):
        cleaned = cleaned[:-3]
    return cleaned


def check_digit(first_eight: str) -> int | None:
    """The mod-11 check digit for eight digits, or None when no valid number has them."""
    remainder = sum(int(d) * w for d, w in zip(first_eight, WEIGHTS)) % 11
    digit = 11 - remainder
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def is_valid_org_number(text: str) -> bool:
    """True for a nine-digit number starting with 8 or 9 whose check digit is right."""
    number = normalize_org_number(text)
    if len(number) != 9 or not number.isascii() or not number.isdigit() or number[0] not in "89":
        return False
    return check_digit(number[:8]) == int(number[8])
