"""The README keeps up with the code: every command documented, the CI runs its test command."""

import re
from pathlib import Path

import click

from dutycheck.cli import main

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_every_command_has_help_and_is_in_the_readme():
    for name, cmd in main.all_commands.items():     # the lazily imported commands too
        assert cmd.help, f"{name} has no help text"
        assert f"dutycheck {name}" in README, f"`dutycheck {name}` is not in the README"
        if isinstance(cmd, click.Group):
            for sub in cmd.commands:
                assert f"{name} {sub}" in README, f"`dutycheck {name} {sub}` is not in the README"


def test_ci_runs_the_readme_test_command():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    test_cmd = next(b.strip() for b in blocks if "pytest" in b)
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_setup_audits_a_bundled_report():
    blocks = re.findall(r"```bash\n(.*?)```", README, re.S)
    setup = next(b.strip() for b in blocks if "dutycheck audit reports/" in b)
    report = setup.split("dutycheck audit ")[1].split()[0]
    assert (ROOT / report).is_file()


def test_every_dependency_is_explained():
    import tomllib

    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for dep in deps:
        name = re.split(r"[<>=\[ ]", dep)[0]
        assert name.lower() in README.lower(), f"{name} is not in the README's dependency list"


def test_readme_python_example_runs(monkeypatch, capsys):
    import re

    monkeypatch.chdir(ROOT)
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    exec(compile(block, "README.md", "exec"), {})
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert re.match(r"^\d+\.\d ", lines[0])                       # the score, then the gaps
    assert "achievements" in lines[1] and "晋城市教育局" in lines[2]
