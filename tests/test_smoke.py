from conftest import VALID, entry


def test_valid_entry_passes(make_ledger, cli):
    root = make_ledger({"2020-01-05-green-zone-rockets": VALID, "2020-01-06-other": entry(date="2020-01-06")})
    result = cli("validate", "--ledger", str(root))
    assert result.status == 0, result.out + result.err
    assert result.out == ""
    assert "2 files checked: 0 errors" in result.err
