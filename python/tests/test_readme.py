"""The README's Python example runs as written."""

from __future__ import annotations

import re

from conftest import REPO


def test_readme_python_example(tmp_path, monkeypatch, capsys):
    text = (REPO / "README.md").read_text()
    section = text.split("## Python\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert len(blocks) == 1, "one Python example in the README's Python section"
    monkeypatch.chdir(tmp_path)
    exec(compile(blocks[0], "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "rejected:" in out and "commits to input" in out
    assert (tmp_path / "out" / "layer" / "proof.zkc").exists()
