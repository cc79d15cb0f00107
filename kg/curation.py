"""Curation: corrections a person writes in ``curation.toml`` and every build applies.

The file is TOML (no extra dependency) with these tables, each a list::

    [[merge]]            # these names are one entity; the last one names it
    names = ["明远长三院", "浙江明远长三角研究院"]

    [[split]]            # this alias is NOT the entity it was merged into
    alias = "研究中心"
    entity = "浙江明远长三角研究院嘉善研究中心"

    [[rename]]           # the canonical name to show
    entity = "市科技局"
    name = "平湖市科学技术局"

    [[retype]]
    entity = "中电科"
    type = "Enterprise"

    [[reject_entity]]    # not an entity (and drop its facts)
    name = "工作专班"

    [[reject]]           # a wrong fact; "o" may be omitted to drop every such fact of "s"
    s = "平湖市"
    p = "focusIndustry"
    o = "5G"

Every action is reported (applied, or not applicable and why); merges are recorded on the
entity (``kg:mergeRule`` … ``curation``) so ``kg explain`` shows them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .model import ENTITY_TYPES, PREDICATES, Entity, Relation
from .resolve import Resolution, norm


class CurationError(Exception):
    """The curation file is malformed."""


@dataclass
class Curation:
    merge: list[list[str]] = field(default_factory=list)
    split: list[tuple[str, str]] = field(default_factory=list)
    rename: list[tuple[str, str]] = field(default_factory=list)
    retype: list[tuple[str, str]] = field(default_factory=list)
    reject_entity: list[str] = field(default_factory=list)
    reject: list[tuple[str, str, str | None]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(
            (self.merge, self.split, self.rename, self.retype, self.reject_entity, self.reject)
        )


def _str(item: dict[str, Any], key: str, where: str) -> str:
    v = item.get(key)
    if not isinstance(v, str) or not v.strip():
        raise CurationError(f"{where}: '{key}' must be a non-empty string")
    return v


def parse_curation(text: str, source: str = "curation.toml") -> Curation:
    """Parse curation TOML; :class:`CurationError` names the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CurationError(f"{source}: invalid TOML ({exc})") from None
    known = {"merge", "split", "rename", "retype", "reject_entity", "reject"}
    unknown = set(data) - known
    if unknown:
        raise CurationError(
            f"{source}: unknown section(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(sorted(known))}"
        )
    cur = Curation()
    for i, item in enumerate(data.get("merge", [])):
        names = item.get("names")
        if (
            not isinstance(names, list)
            or len(names) < 2
            or not all(isinstance(n, str) for n in names)
        ):
            raise CurationError(f"{source}: merge #{i + 1}: 'names' must list two or more names")
        cur.merge.append(list(names))
    for i, item in enumerate(data.get("split", [])):
        w = f"{source}: split #{i + 1}"
        cur.split.append((_str(item, "alias", w), _str(item, "entity", w)))
    for i, item in enumerate(data.get("rename", [])):
        w = f"{source}: rename #{i + 1}"
        cur.rename.append((_str(item, "entity", w), _str(item, "name", w)))
    for i, item in enumerate(data.get("retype", [])):
        w = f"{source}: retype #{i + 1}"
        t = _str(item, "type", w)
        if t not in ENTITY_TYPES:
            raise CurationError(f"{w}: unknown type {t!r}")
        cur.retype.append((_str(item, "entity", w), t))
    for i, item in enumerate(data.get("reject_entity", [])):
        cur.reject_entity.append(_str(item, "name", f"{source}: reject_entity #{i + 1}"))
    for i, item in enumerate(data.get("reject", [])):
        w = f"{source}: reject #{i + 1}"
        p = _str(item, "p", w)
        if p not in PREDICATES and p != "metric":
            raise CurationError(f"{w}: unknown predicate {p!r}")
        o = item.get("o")
        cur.reject.append((_str(item, "s", w), p, o if isinstance(o, str) else None))
    return cur


def load_curation(path: str | Path) -> Curation:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CurationError(f"{p}: cannot read ({exc})") from None
    return parse_curation(text, p.name)


def _find(res: Resolution, name: str) -> Entity | None:
    n = norm(name)
    for e in sorted(res.entities.values(), key=lambda e: e.key):
        if n == norm(e.name) or n == norm(e.key):
            return e
    for e in sorted(res.entities.values(), key=lambda e: e.key):
        if n in {norm(a) for a in e.aliases}:
            return e
    return None


def apply_curation(res: Resolution, cur: Curation) -> list[str]:
    """Apply ``cur`` to ``res`` in place; return a report line per action."""
    log: list[str] = []
    for names in cur.merge:
        ents = [_find(res, n) for n in names]
        missing = [n for n, e in zip(names, ents) if e is None]
        if missing:
            log.append(f"merge {names}: not found: {', '.join(missing)}")
            continue
        target = ents[-1]
        assert target is not None
        for e in ents[:-1]:
            assert e is not None
            if e.key == target.key:
                continue
            _merge_into(res, e, target)
        log.append(f"merge {names}: applied")
    for alias, owner in cur.split:
        e = _find(res, owner)
        if e is None or norm(alias) not in {norm(a) for a in e.aliases}:
            log.append(f"split {alias!r} from {owner!r}: not applicable")
            continue
        moved = [m for m in e.mentions if norm(m.text) == norm(alias)]
        e.mentions = [m for m in e.mentions if norm(m.text) != norm(alias)]
        e.aliases = {a for a in e.aliases if norm(a) != norm(alias)}
        key = f"{norm(alias)}#curated"
        new = Entity(
            key=key,
            name=norm(alias),
            type=e.type,
            mentions=moved,
            merged_by=[(alias, "curation:split")],
        )
        res.entities[key] = new
        log.append(f"split {alias!r} from {owner!r}: applied")
    for owner, name in cur.rename:
        e = _find(res, owner)
        if e is None:
            log.append(f"rename {owner!r}: not found")
            continue
        e.aliases.add(e.name)
        e.name = name
        e.aliases.discard(name)
        log.append(f"rename {owner!r} → {name!r}: applied")
    for owner, typ in cur.retype:
        e = _find(res, owner)
        if e is None:
            log.append(f"retype {owner!r}: not found")
            continue
        e.type = typ
        log.append(f"retype {owner!r} → {typ}: applied")
    for name in cur.reject_entity:
        e = _find(res, name)
        if e is None:
            log.append(f"reject_entity {name!r}: not found")
            continue
        del res.entities[e.key]
        res.relations = [r for r in res.relations if e.key not in (r.s, r.o)]
        log.append(f"reject_entity {name!r}: applied")
    for s, p, o in cur.reject:
        se = _find(res, s)
        if se is None:
            log.append(f"reject {s} {p} {o}: subject not found")
            continue
        oe = _find(res, o) if o else None
        before = len(res.relations)

        res.relations = [r for r in res.relations if not _hits(r, se, p, o, oe)]
        log.append(f"reject {s} {p} {o or '*'}: {before - len(res.relations)} fact(s) removed")
    return log


def _hits(r: Relation, se: Entity, p: str, o: str | None, oe: Entity | None) -> bool:
    if r.s != se.key or r.p != p:
        return False
    if o is None:
        return True
    return (r.o == oe.key) if oe is not None else norm(r.o) == norm(o)


def _merge_into(res: Resolution, src: Entity, dst: Entity) -> None:
    dst.aliases |= src.aliases | {src.name}
    dst.aliases.discard(dst.name)
    dst.mentions = sorted(dst.mentions + src.mentions, key=lambda m: (m.article, m.start, m.end))
    dst.merged_by = sorted(set(dst.merged_by) | set(src.merged_by) | {(src.name, "curation")})
    del res.entities[src.key]
    res.relations = [
        replace(
            r,
            s=dst.key if r.s == src.key else r.s,
            o=dst.key if (not r.literal and r.o == src.key) else r.o,
        )
        for r in res.relations
    ]
    res.relations = [r for r in res.relations if r.s != r.o]
