import subprocess
import sys

from mumo.cli.main import VERB_MODULES, build_parser, main


def test_help_lists_every_verb(capsys):
    parser = build_parser()
    help_text = parser.format_help()
    verbs = parser._subparsers._group_actions[0].choices  # the registered verbs
    assert len(verbs) >= len(VERB_MODULES)
    for verb in verbs:
        assert verb in help_text


def test_each_verb_has_help_with_examples():
    parser = build_parser()
    for name, sub in parser._subparsers._group_actions[0].choices.items():
        text = sub.format_help()
        assert "usage:" in text, name
        assert "example" in text.lower(), f"`mumo {name} --help` shows no examples"


def test_no_verb_prints_help(capsys):
    assert main([]) == 0
    assert "usage: mumo" in capsys.readouterr().out


def test_console_script_runs():
    result = subprocess.run(
        [sys.executable, "-m", "mumo.cli.main", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("mumo ")
