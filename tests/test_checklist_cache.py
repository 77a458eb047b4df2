"""The parsed-checklist cache: a cold start skips YAML parsing, but never serves stale rules."""

from __future__ import annotations

import os

from dutycheck.checklist import load as loader

BASE = """id: base
version: "1"
title: 测试清单
groups:
  - id: counsel
    title: 法律顾问
items:
  - id: counsel.retained
    title: 法律顾问
    group: counsel
    weight: 2
    match:
      - any: [法律顾问]
"""
CHILD = """id: child
title: 子清单
extends: base.yaml
overrides:
  counsel.retained:
    weight: 3
"""


def test_cached_load_sees_a_change_in_any_file_of_the_chain(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    child = tmp_path / "child.yaml"
    child.write_text(CHILD, encoding="utf-8")

    first = loader._load_fresh(str(child))
    assert first.checklist.item("counsel.retained").weight == 3
    assert len(os.listdir(tmp_path / "cache" / "dutycheck" / "checklists")) == 1

    # a cache hit does not parse YAML at all
    monkeypatch.setattr(loader, "_resolve", lambda *a: (_ for _ in ()).throw(AssertionError("parsed")))
    assert loader._load_fresh(str(child)).checklist.item("counsel.retained").weight == 3
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))

    # the base changes (same size, so only the bytes tell): the cache is not used
    (tmp_path / "base.yaml").write_text(BASE.replace("weight: 2", "weight: 1").replace("[法律顾问]", "[公职律师]"),
                                        encoding="utf-8")
    again = loader._load_fresh(str(child))
    assert again.checklist.item("counsel.retained").rules[0].groups == (("公职律师",),)


def test_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("DUTYCHECK_NO_CACHE", "1")
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    loader._load_fresh(str(tmp_path / "base.yaml"))
    assert not (tmp_path / "cache").exists()


def test_a_change_to_the_loader_itself_is_never_served_an_old_result(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    (tmp_path / "base.yaml").write_text(BASE, encoding="utf-8")
    source = tmp_path / "load.py"                 # stands in for this module's source file
    source.write_text("# version 1\n", encoding="utf-8")
    monkeypatch.setattr(loader, "__file__", str(source))
    loader._load_fresh(str(tmp_path / "base.yaml"))

    parsed = []
    real = loader._resolve
    monkeypatch.setattr(loader, "_resolve", lambda *a: parsed.append(a) or real(*a))
    loader._load_fresh(str(tmp_path / "base.yaml"))
    assert parsed == []                           # same loader, same files: served from the cache
    source.write_text("# version 2: merging changed\n", encoding="utf-8")
    loader._load_fresh(str(tmp_path / "base.yaml"))
    assert len(parsed) == 1


def test_a_cold_audit_served_from_the_cache_does_not_even_import_yaml(tmp_path):
    import subprocess
    import sys

    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("DUTYCHECK_NO_CACHE", None)
    code = ("import sys; from dutycheck import audit_text; "
            "r = audit_text('某县教育局2023年法治政府建设年度报告\\n一、主要举措\\n聘请常年法律顾问。'); "
            "print('yaml' in sys.modules, r.item('legal-counsel.retained').status.value)")
    first = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    again = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert first.stdout.split() == ["True", "done"]      # parsed, and cached
    assert again.stdout.split() == ["False", "done"]     # served from the cache: no YAML parser loaded
