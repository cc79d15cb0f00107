"""Rule data for the extraction components, loaded from the JSON files in ``data/``.

The files hold general knowledge only (suffixes, title words, function words, well-known
abbreviations, countries and regions); China's administrative divisions come from a maintained
package (:mod:`.gazetteer`). :class:`Lexicon` is built once per pipeline and passed to the
components.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent / "data"


def _load(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    return {k: v for k, v in data.items() if not k.startswith("_")}


def alternation(words: Iterable[str]) -> str:
    """A regex alternation that prefers the longest word (cached: rules call it per sentence)."""
    return _alternation(frozenset(words))


@functools.lru_cache(maxsize=256)
def _alternation(words: frozenset[str]) -> str:
    """The words as a trie: ``甲乙(?:丙|丁)?`` rather than ``甲乙丙|甲乙丁|甲乙``.

    It matches exactly what the flat alternation sorted longest first matches, and backtracks
    through the same words in the same order (longest first at each position), but Python's
    ``re`` tries one branch per character instead of every word: with thousands of learned
    names that is the difference between seconds and minutes on a big corpus.
    """
    trie: dict[str, Any] = {}
    for w in words:
        if not w:
            continue
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_regex(trie)


def _trie_regex(node: dict[str, Any]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_regex(node[ch]) for ch in sorted(node) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # a word ends here: the longer ones first, then this one
        return body + "?" if len(branches) == 1 and len(branches[0]) == 1 else f"(?:{body})?"
    return body


@dataclass
class Suffix:
    suffix: str
    type: str
    legal: bool = False
    min_prefix: int = 2
    needs_name: bool = False
    token_final: bool = False
    token_start: bool = False  # the suffix starts a word (综合治理办, not 举办)
    needs_place: bool = False  # only a place or an administration names it (某市某某委员会)
    place_ok: bool = False  # a place alone names it (之江实验室, 嘉善经济技术开发区)
    field_ok: bool = False  # a field alone names it (储能电池实验室)
    members_ok: bool = False  # member words stand inside the name (专家联谊会, 企业家协会)
    named_before: bool = False  # the word before is a field, an organisation word or rare


@dataclass
class Lexicon:
    """All rule data. Build with :meth:`load`; add more with :meth:`add_patterns`."""

    suffixes: list[Suffix] = field(default_factory=list)
    unit_suffixes: list[dict[str, Any]] = field(default_factory=list)
    abbreviations: dict[str, tuple[str, str]] = field(default_factory=dict)
    gov_departments: list[str] = field(default_factory=list)
    gov_prefixes: list[str] = field(default_factory=list)
    # name -> kind: countries, provinces, cities, counties, regions (short and full names)
    places: dict[str, str] = field(default_factory=dict)
    towns: set[str] = field(default_factory=set)  # towns and sub-districts, full names only
    # a city's or county's names -> the names of the divisions above it (浙江 above 平湖)
    place_parents: dict[str, frozenset[str]] = field(default_factory=dict)
    place_suffixes: list[str] = field(default_factory=list)
    industries: set[str] = field(default_factory=set)
    industry_suffixes: list[str] = field(default_factory=list)
    industry_generic_words: set[str] = field(default_factory=set)  # 重点, 主导: not a field
    industry_field_verbs: set[str] = field(default_factory=set)  # 制造, 设计: verbs in fields
    famous: set[str] = field(default_factory=set)
    titles: list[str] = field(default_factory=list)
    post_name_titles: list[str] = field(default_factory=list)
    name_verbs: set[str] = field(default_factory=set)
    person_stop: list[str] = field(default_factory=list)
    generic_modifiers: set[str] = field(default_factory=set)
    rank_adjectives: list[str] = field(default_factory=list)
    suffix_exclusions: dict[str, set[str]] = field(default_factory=dict)
    surnames: str = ""
    compound_surnames: list[str] = field(default_factory=list)
    left_stop: set[str] = field(default_factory=set)
    patterns: dict[str, list[str]] = field(default_factory=dict)
    relations: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path | str | None = None, *, divisions: bool = True) -> Lexicon:
        """The rule data of ``data_dir`` (default: the package's), and China's administrative
        divisions (:func:`.gazetteer.default_places`) unless ``divisions`` is off."""
        d = Path(data_dir) if data_dir else DATA_DIR
        lex = cls()
        lex.add_patterns(_load(d / "org_suffixes.json"))
        lex.add_patterns(_load(d / "lexicon.json"))
        lex.add_patterns(_load(d / "stopwords.json"))
        lex.add_patterns(_load(d / "patterns.json"))
        rel = d / "relations.json"
        if rel.exists():
            lex.add_patterns({"relations": _load(rel)})
        if divisions:
            from .gazetteer import default_places

            places, towns, parents = default_places()
            lex.add_places(places, towns, parents)
        return lex

    def add_places(
        self,
        places: dict[str, str],
        towns: Iterable[str] = (),
        parents: dict[str, frozenset[str]] | None = None,
    ) -> None:
        """Add places (name -> kind), towns and the divisions above cities and counties;
        names already known keep their kind."""
        for name, kind in places.items():
            self.places.setdefault(name, kind)
        self.towns.update(t for t in towns if t not in self.places)
        self.place_parents.update(parents or {})
        self._forget()

    def add_patterns(self, data: dict[str, Any]) -> None:
        """Merge rule data (same keys as the JSON files)."""
        for s in data.get("suffixes", []):
            self.suffixes.append(Suffix(**s))
        centres = data.get("centres", {})
        for modifier, spec in centres.get("modifiers", {}).items():
            # 研究中心, 服务中心 …: the modifier before the head noun gives the type
            self.suffixes.append(Suffix(suffix=modifier + centres["head"], **spec))
        self.unit_suffixes.extend(data.get("unit_suffixes", []))
        for k, v in data.get("abbreviations", {}).items():
            if not k.startswith("_"):
                self.abbreviations[k] = (v[0], v[1])
        gov = data.get("gov_short_forms", {})
        self.gov_departments.extend(gov.get("departments", []))
        self.gov_prefixes.extend(gov.get("prefixes", []))
        for kind in ("countries", "provinces", "cities", "counties", "regions"):
            for name in data.get(kind, []):
                self.places[name] = kind
        for name in data.get("foreign_cities", []):
            self.places[name] = "cities"
        self.towns.update(data.get("towns", []))
        self.place_suffixes.extend(data.get("place_suffixes", []))
        self.industries.update(data.get("industries", []))
        self.industry_suffixes.extend(data.get("industry_suffixes", []))
        self.industry_generic_words.update(data.get("industry_generic_words", []))
        self.industry_field_verbs.update(data.get("industry_field_verbs", []))
        self.famous.update(data.get("famous_enterprises", {}).get("names", []))
        self.titles.extend(data.get("titles", []))
        self.post_name_titles.extend(data.get("post_name_titles", []))
        self.name_verbs.update(data.get("name_verbs", []))
        self.person_stop.extend(data.get("person_stop_words", []))
        self.generic_modifiers.update(data.get("generic_modifiers", []))
        self.rank_adjectives.extend(data.get("rank_adjectives", []))
        for suf, words in data.get("suffix_exclusions", {}).items():
            self.suffix_exclusions.setdefault(suf, set()).update(words)
        self.surnames += data.get("surnames", "")
        self.compound_surnames.extend(data.get("compound_surnames", []))
        self.left_stop.update(data.get("left_stop_words", []))
        for key in (
            "event_suffixes",
            "program_suffixes",
            "award_triggers",
            "award_heads",
            "program_triggers",
            "program_follow",
            "anatomy_industry_words",
            "byline_roles",
            "person_class_nouns",
            "award_rank",
            "award_titles",
            "generic_program_words",
            "program_titles",
            "scheme_shapes",
            "appositive_class_nouns",
            "trade_words",
        ):
            if key in data:
                self.patterns.setdefault(key, []).extend(data[key])
        if "relations" in data:
            self.relations.update(data["relations"])
        self._forget()

    def _forget(self) -> None:
        """Drop the compiled views (the data changed)."""
        cached = (
            "suffix_re",
            "suffix_map",
            "title_re",
            "industry_re",
            "place_ranks",
            "starts",
            "place_prefixes",
            "town_lengths",
        )
        for attr in cached:
            self.__dict__.pop(attr, None)

    # compiled views -----------------------------------------------------------------------
    @cached_property
    def suffix_map(self) -> dict[str, Suffix]:
        return {s.suffix: s for s in self.suffixes}

    @cached_property
    def suffix_re(self) -> re.Pattern[str]:
        return re.compile(alternation(list(self.suffix_map)))

    @cached_property
    def title_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.titles))

    @cached_property
    def industry_re(self) -> re.Pattern[str]:
        return re.compile(alternation(self.industries))

    @cached_property
    def place_ranks(self) -> frozenset[str]:
        """Ranks named by a division: 某某省级, 某某市级, 某某县级, 某某区级 and the bare full
        names (某某市, as in 某某市孵化器); 某某 + 省/市 for a short form too."""
        ranks: set[str] = set()
        for p, kind in self.places.items():
            if kind not in ("provinces", "cities", "counties"):
                continue
            forms = (p,) if p[-1:] in "省市县区州" else (p + "省", p + "市")
            for form in forms:
                ranks.update((form, form + "级"))
        return frozenset(ranks)

    @cached_property
    def starts(self) -> dict[str, tuple[int, ...]]:
        """The lengths of the places and towns by their first two characters, longest first."""
        by_start: dict[str, set[int]] = {}
        for name in (*self.places, *self.towns):
            if len(name) >= 2:
                by_start.setdefault(name[:2], set()).add(len(name))
        return {k: tuple(sorted(v, reverse=True)) for k, v in by_start.items()}

    @cached_property
    def place_prefixes(self) -> frozenset[str]:
        """Every beginning of a place's name (平, 平湖, 平湖市 …), towns aside: a run of words
        is worth extending while it is one."""
        return frozenset(name[:i] for name in self.places for i in range(1, len(name) + 1))

    @cached_property
    def town_lengths(self) -> tuple[int, ...]:
        """The lengths of the towns' names, longest first."""
        return tuple(sorted({len(t) for t in self.towns}, reverse=True))

    def nests(self, outer: str, inner: str) -> bool:
        """May place ``inner`` follow place ``outer`` in one name (浙江嘉兴平湖, 上海松江)? A
        city's or county's short form follows only a division that contains it: after 湖州, a
        county called 海丰 in another province is a trade name (湖州海丰新材料研究院). Full
        names (某某县, 某某镇) and places the divisions do not hold always may."""
        above = self.place_parents.get(inner)
        if not above or inner[-1] in "省市区县州旗盟":
            return True
        return outer in above or self.places.get(outer) in ("countries", "regions")

    def is_place(self, name: str) -> bool:
        """Is ``name`` a place or a town's full name?"""
        return name in self.places or name in self.towns

    def place_end(self, text: str, pos: int = 0, ends: Container[int] | None = None) -> int:
        """The end of the longest place (or town) that starts at ``text[pos]``, else -1: a
        lookup by the first two characters, then one per length (no regex over 40,000 names).
        ``ends``: where the place may end (where words end: not 新平 in 新|平湖, nor 和政 in
        和|政府)."""
        lengths = self.starts.get(text[pos : pos + 2])
        if lengths:
            places, towns = self.places, self.towns
            for n in lengths:
                word = text[pos : pos + n]
                if (
                    len(word) == n
                    and (word in places or word in towns)
                    and (ends is None or pos + n in ends)
                ):
                    return pos + n
        return -1

    def place_at(self, text: str, pos: int = 0) -> str:
        """The longest place that starts at ``text[pos]`` ('' if none)."""
        end = self.place_end(text, pos)
        return text[pos:end] if end > 0 else ""

    def find_place(self, text: str) -> int:
        """Where the first place in a short ``text`` (a name's prefix) starts, else -1."""
        starts = self.starts
        for i in range(len(text) - 1):
            if text[i : i + 2] in starts and self.place_end(text, i) > 0:
                return i
        return -1
