"""The README's walk-through names the buttons a parent really sees."""

from __future__ import annotations

import re

from tests.servers import ROOT


def test_the_quick_start_names_the_family_pages_play_button() -> None:
    family_page = (ROOT / "templates" / "accounts" / "family.html").read_text()
    play_button = r'href="\{% url \'accounts:play\' %\}">[^{]*\{% translate "([^"]+)"'
    label = re.search(play_button, family_page)
    assert label and label[1] == "Start play mode"
    assert f"press **{label[1]}**" in (ROOT / "README.md").read_text()
