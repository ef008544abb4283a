"""`ledger show ID...`: laid out for reading, as the TOML file, as JSON; unknown ids exit 1."""

from __future__ import annotations

import json
import textwrap

import pytest
from conftest import VALID, entry

ID = "2020-01-05-green-zone-rockets"
OTHER = "2020-01-06-border-closed"


@pytest.fixture
def root(make_ledger):
    return make_ledger(
        {
            ID: VALID.replace(
                'summary = "Six rockets fell in and near the Green Zone."',
                'summary = """\nSix rockets fell.\nNo one claimed it."""',
            ),
            OTHER: entry(title="Border closed", date="2020-01-06", type="border-closure", escalation=3, country="SY"),
            "2020-01-07-broken": "title = \n",
        }
    )


def test_text_layout(root, cli):
    result = cli("show", "--ledger", str(root), ID)
    assert result.status == 0
    assert result.out == textwrap.dedent(
        f"""\
        Rockets hit the Green Zone
        {ID}  (entries/2020/01/{ID}.toml)

        date          2020-01-05 (evening)
        type          rocket-attack (remote-violence)
        escalation    4 harassing-fire
        confidence    reported
        location      Green Zone, Baghdad, IQ
                      33.305, 44.385 (town)
        actors        perpetrators: Iran-backed militias (suspected)
                      targets: US forces
        casualties    injured 3 (2-5); "several civilians"
        tags          green-zone
        sources       Reuters, 2020-01-05, B2
                        https://example.org/a

          Six rockets fell.
          No one claimed it.
        """
    )


def test_several_ids_and_a_file_path(root, cli):
    result = cli("show", "--ledger", str(root), OTHER, f"entries/2020/01/{ID}.toml")
    assert result.status == 0
    titles = [block.splitlines()[0] for block in result.out.split("\n\n") if block and not block.startswith(" ")]
    assert titles[0] == "Border closed"
    assert "Rockets hit the Green Zone" in result.out


def test_json_is_the_record_form(root, cli):
    one = json.loads(cli("show", "--ledger", str(root), "--format", "json", ID).out)
    assert one["id"] == ID and one["path"] == f"entries/2020/01/{ID}.toml"
    assert one["casualties"] == {"injured": {"best": 3, "low": 2, "high": 5}, "note": "several civilians"}
    both = json.loads(cli("show", "--ledger", str(root), "--format", "json", ID, OTHER).out)
    assert [r["id"] for r in both] == [ID, OTHER]


def test_toml_is_the_file_itself(root, cli):
    path = root / "entries/2020/01" / f"{ID}.toml"
    assert cli("show", "--ledger", str(root), "--format", "toml", ID).out == path.read_text()
    both = cli("show", "--ledger", str(root), "--format", "toml", ID, OTHER).out
    assert both.startswith(f"# entries/2020/01/{ID}.toml\n")
    assert f"\n\n# entries/2020/01/{OTHER}.toml\n" in both


def test_unknown_id_exits_one_with_a_suggestion(root, cli):
    result = cli("show", "--ledger", str(root), "2020-01-05-green-zone-rocket")
    assert (result.status, result.out) == (1, "")
    assert result.err == f'ledger: error: no entry "2020-01-05-green-zone-rocket" (did you mean "{ID}"?)\n'
    assert cli("show", "--ledger", str(root), "nothing").err == 'ledger: error: no entry "nothing"\n'


def test_an_invalid_entry_points_at_validate(root, cli):
    result = cli("show", "--ledger", str(root), "2020-01-07-broken")
    assert result.status == 1
    path = "entries/2020/01/2020-01-07-broken.toml"
    assert result.err == f"ledger: error: {path} is not a valid entry (see `ledger validate {path}`)\n"


def test_unknown_format(root, cli):
    result = cli("show", "--ledger", str(root), "--format", "yaml", ID)
    assert result.status == 2
    assert result.err == 'ledger: error: --format "yaml" is not one of: text, toml, json\n'
