import pytest

from app.domain.orgnr import check_digit, is_valid_org_number, normalize_org_number


@pytest.mark.parametrize("number", ["923609016", "974760673", "991825827", "923 609 016", "NO 923609016 MVA"])
def test_real_org_numbers_are_valid(number):
    assert is_valid_org_number(number)


@pytest.mark.parametrize("number", [
    "923609017",  # wrong check digit
    "123456785",  # must start with 8 or 9
    "92360901",  # too short
    "9236090160",  # too long
    "92360901a",
    "９２３６０９０１６",  # full-width digits are not digits here
    "",
])
def test_invalid_org_numbers(number):
    assert not is_valid_org_number(number)


def test_prefix_whose_remainder_is_one_has_no_valid_number():
    # 11 - 1 = 10 cannot be a single check digit: no org number starts with these eight digits.
    prefix = next(p for p in (f"9{n:07d}" for n in range(1000))
                  if sum(int(d) * w for d, w in zip(p, (3, 2, 7, 6, 5, 4, 3, 2))) % 11 == 1)
    assert check_digit(prefix) is None
    assert not any(is_valid_org_number(prefix + str(d)) for d in range(10))


def test_normalize_strips_vat_decoration():
    assert normalize_org_number("no 923.609.016 mva") == "923609016"
