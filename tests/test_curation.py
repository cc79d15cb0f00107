"""Curation file: parsing and each action on a small resolution."""

from __future__ import annotations

import pytest

from kg.curation import CurationError, apply_curation, parse_curation
from kg.model import Entity, Mention, Relation
from kg.resolve import Resolution


def _res() -> Resolution:
    def m(text: str, typ: str) -> Mention:
        return Mention(text, typ, 0, len(text), "p-a00", 0, "test")

    res = Resolution()
    for key, name, typ in [
        ("甲公司", "甲公司", "Enterprise"),
        ("甲", "甲", "Enterprise"),
        ("乙镇", "乙镇", "Place"),
        ("工作专班", "工作专班", "GovernmentBody"),
    ]:
        res.entities[key] = Entity(key, name, typ, aliases=set(), mentions=[m(name, typ)])
    res.entities["甲公司"].aliases.add("甲司")
    res.relations = [
        Relation("甲", "locatedIn", "乙镇", "p-a00", 0, "甲落户乙镇。", 0, 6, "t", 0.8),
        Relation("工作专班", "supports", "甲公司", "p-a00", 1, "…", 7, 9, "t", 0.5),
    ]
    return res


def test_merge_moves_facts_and_records_rule() -> None:
    res = _res()
    log = apply_curation(res, parse_curation('[[merge]]\nnames = ["甲", "甲公司"]\n'))
    assert log == ["merge ['甲', '甲公司']: applied"]
    assert "甲" not in res.entities
    assert res.relations[0].s == "甲公司"
    assert ("甲", "curation") in res.entities["甲公司"].merged_by


def test_reject_entity_and_fact_rename_retype_split() -> None:
    res = _res()
    cur = parse_curation(
        '[[reject_entity]]\nname = "工作专班"\n'
        '[[reject]]\ns = "甲"\np = "locatedIn"\no = "乙镇"\n'
        '[[rename]]\nentity = "甲公司"\nname = "甲有限公司"\n'
        '[[retype]]\nentity = "乙镇"\ntype = "Platform"\n'
        '[[split]]\nalias = "甲司"\nentity = "甲公司"\n'
    )
    log = apply_curation(res, cur)
    assert "工作专班" not in res.entities
    assert not res.relations
    assert res.entities["甲公司"].name == "甲有限公司"
    assert res.entities["乙镇"].type == "Platform"
    assert "甲司" not in res.entities["甲公司"].aliases
    assert any("split" in line and "applied" in line for line in log)


def test_not_found_is_reported_not_raised() -> None:
    log = apply_curation(_res(), parse_curation('[[merge]]\nnames = ["无", "甲公司"]\n'))
    assert "not found" in log[0]


@pytest.mark.parametrize(
    "text",
    [
        '[[merge]]\nnames = ["x"]\n',
        '[[retype]]\nentity="a"\ntype="X"\n',
        "[[oops]]\n",
        "not toml [",
    ],
)
def test_malformed_curation(text: str) -> None:
    with pytest.raises(CurationError):
        parse_curation(text)


def test_build_applies_curation(tmp_path) -> None:
    from click.testing import CliRunner
    from conftest import SEEDS

    from kg.cli import main

    cur = tmp_path / "c.toml"
    cur.write_text('[[reject_entity]]\nname = "市科技局"\n', encoding="utf-8")
    out = tmp_path / "out"
    res = CliRunner().invoke(
        main,
        ["build", "--seeds", str(SEEDS), "--out", str(out), "--no-html", "--curation", str(cur)],
    )
    assert res.exit_code == 0, res.output
    assert "reject_entity '市科技局': applied" in res.output
    assert '"市科技局"@zh' not in (out / "pinghu.ttl").read_text(encoding="utf-8")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[nope]]\n", encoding="utf-8")
    res2 = CliRunner().invoke(
        main, ["build", "--seeds", str(SEEDS), "--out", str(out), "--curation", str(bad)]
    )
    assert res2.exit_code == 2 and "unknown section" in res2.output
