"""Issue 10: import applies every rule validate applies, and no input file crashes it."""

from __future__ import annotations

import json

from conftest import VALID

ID = "2020-01-05-green-zone-rockets"


def export_of(cli, make_ledger, tmp_path, text=VALID, fmt="json"):
    source = make_ledger({ID: text}, root=tmp_path / "source")
    return cli("export", "--format", fmt, "--ledger", str(source)).out


def test_an_entry_over_the_size_limit_is_rejected_not_written(make_ledger, cli, tmp_path):
    record = json.loads(export_of(cli, make_ledger, tmp_path))[0]
    record["summary"] = "word " * 220_000  # about 1.1 MB
    file = tmp_path / "big.json"
    file.write_text(json.dumps([record]))
    root = make_ledger({}, root=tmp_path / "ledger")
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 1 and result.out == ""
    assert "larger than the limit of 1,000,000 bytes" in result.err
    assert not list((root / "entries").rglob("*.toml"))


def test_deeply_nested_json_is_trouble_not_a_traceback(make_ledger, cli, tmp_path):
    file = tmp_path / "deep.json"
    file.write_text("[" * 100_000 + "]" * 100_000)
    root = make_ledger({}, root=tmp_path / "ledger")
    result = cli("import", str(file), "--from", "json", "--ledger", str(root))
    assert result.status == 2
    assert result.err == f"ledger: error: {file}: JSON nesting is too deep\n"


def test_a_csv_field_up_to_the_entry_limit_reads_back(make_ledger, cli, tmp_path):
    long_summary = "word " * 40_000  # 200,000 characters: over csv's default field limit of 131,072
    text = VALID.replace('summary = "Six rockets fell in and near the Green Zone."', f'summary = "{long_summary}"')
    file = tmp_path / "e.csv"
    file.write_text(export_of(cli, make_ledger, tmp_path, text, "csv"))
    root = make_ledger({}, root=tmp_path / "ledger")
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 0, result.err
    assert (root / result.out.strip()).read_text() == text


def test_a_duplicated_csv_header_is_refused(make_ledger, cli, tmp_path):
    exported = export_of(cli, make_ledger, tmp_path, fmt="csv")
    header, rest = exported.split("\r\n", 1)
    file = tmp_path / "e.csv"
    file.write_text(header + ",title\r\n" + rest.replace("\r\n", ",Other title\r\n", 1), newline="")
    root = make_ledger({}, root=tmp_path / "ledger")
    result = cli("import", str(file), "--from", "csv", "--ledger", str(root))
    assert result.status == 2
    assert (
        result.err
        == f'ledger: error: {file}: line 1: the header names "title" more than once (which column is meant?)\n'
    )
    assert not list((root / "entries").rglob("*.toml"))


def test_a_huge_integer_in_json_is_rejected(make_ledger, cli, tmp_path):
    record = json.loads(export_of(cli, make_ledger, tmp_path))[0]
    record["casualties"] = {"killed": 10**30}
    file = tmp_path / "e.json"
    file.write_text(json.dumps([record]))
    root = make_ledger({}, root=tmp_path / "ledger")
    result = cli("import", str(file), "--ledger", str(root))
    assert result.status == 1 and "Traceback" not in result.err
    assert "casualties.killed" in result.err
    assert cli("list", "--ledger", str(root)).status == 0
