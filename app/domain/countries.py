"""ISO 3166-1 alpha-2 country codes: a foreign employer on the § 15 list is named by its country and id.

The assigned codes only (249). Not the user-assigned ones ("XX", "ZZ", "XK", "AA", "QM"–"QZ",
"XA"–"XZ"), nor the exceptionally reserved ones ("EU", "UK", "AC"): a list an inspector reads
must name a country that exists. Portvakt stores "XX" for a foreign employer whose country the
card service did not say (app/services/card_checks.py); that is why "XX" is never accepted as typed.
"""

UNKNOWN_COUNTRY = "XX"  # stored, never typed: the card service names a foreign employer's id, not its country

ISO_3166_ALPHA2 = frozenset("""
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
    GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
    KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
    MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
    TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM
    ZW
""".split())


def company_identifier(org_number: str | None, country: str, foreign_id: str | None) -> str:
    """A company's identifier as a person reads it: the org number (a foreign company's NUF too), else
    the country and foreign id, or the foreign id alone when nobody said the country (never "XX")."""
    if org_number:
        return org_number
    return foreign_id or "" if country == UNKNOWN_COUNTRY else f"{country} {foreign_id}"


def normalize_country(text: str | None) -> str:
    """What people type ("pl ", "Pl") as the code's upper-case form; an empty answer stays empty."""
    return (text or "").strip().upper()


def is_country_code(text: str | None) -> bool:
    """True for an assigned ISO 3166-1 alpha-2 code, in any letter case."""
    return normalize_country(text) in ISO_3166_ALPHA2
