"""Documentation that cannot rot: every CLI command has an example and is in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import COMMANDS, build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_docs_every_command_has_an_example_and_is_in_the_readme(name):
    doc = COMMANDS[name].__doc__ or ""
    assert "Example: python -m pipeline " + name in doc
    assert f"python -m pipeline {name}" in README


def test_docs_readme_shows_the_two_commands():
    assert "make run" in README and "make test" in README


def test_docs_help_lists_every_command(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["--help"])
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)
