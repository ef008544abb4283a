"""Every option that takes a number with a fraction refuses "nan" as one usage error.

click's ranges compare, and every comparison with nan is false, so `--km nan` passed the
range and crashed the grid of `dupes` (a traceback). The test walks the command table:
a float option added later is held to the same rule without a line here.
"""

from __future__ import annotations

import typing

import pytest
from typer.models import OptionInfo

from ledger.cli.commands import TABLE


def _float_options() -> list[tuple[str, str]]:
    found = []
    for command in TABLE:
        for param in command.run.params:
            kind, option = typing.get_args(param.annotation)
            if isinstance(option, OptionInfo) and (kind is float or float in typing.get_args(kind)):
                found.append((command.name, "--" + param.name.replace("_", "-")))
    return found


FLOATS = _float_options()


def test_the_table_has_float_options():
    assert ("dupes", "--km") in FLOATS and ("archive", "--timeout") in FLOATS


@pytest.mark.parametrize(("command", "flag"), FLOATS)
@pytest.mark.parametrize("value", ["nan", "NaN", "-nan"])
def test_nan_is_one_usage_error(cli, tmp_path, command, flag, value):
    result = cli(command, flag, value, "--ledger", str(tmp_path))
    assert result.status == 2, result
    assert f"{flag} needs a number, not nan" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize("value", ["inf", "1e400"])
def test_an_endless_timeout_is_out_of_range(cli, tmp_path, value):
    result = cli("archive", "--timeout", value, "--ledger", str(tmp_path))
    assert result.status == 2
    assert "is not in the range 0.1<=x<=86400.0" in result.err
