"""A synthetic corpus for benchmarks: N realistic articles from the seed sentences.

Each article recombines sentences of the seed pages. Every organisation and person the
extractor finds in a sentence is replaced by a name drawn from generated pools of the same
type (place + trade name + industry + suffix for organisations, surname + given name for
people), so names recur across articles and resolution does real work. One article per file,
with a headline and a byline, about 2,000 characters: 10,000 articles ≈ 20 million characters.

    python -m bench.corpus --seeds seeds --out /tmp/corpus --n 1000 [--seed 7]

The output depends only on the seeds, ``n`` and ``seed`` (byte-identical reruns).
"""

from __future__ import annotations

import argparse
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余"
    "杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙"
    "史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉力永健世广志义兴"
    "良海山仁波宁贵福生龙元全胜学祥才发武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂"
    "进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨"
    "奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧"
    "冠策腾楠榕风航弘"
)
TRADE = (
    "华宏鼎盛远航启明星辰天成恒泰瑞丰创新聚源博远凯达中科金桥新越正通宇泰卓越润华嘉禾"
    "同创海纳致远安泰永信德润佳和鸿图"
)
PLACES = ["浙江", "嘉兴", "杭州", "上海", "宁波", "苏州", "湖州", "绍兴", "平湖", "南京", "深圳"]
INDUSTRIES = [
    "光电",
    "新材料",
    "智能装备",
    "生物医药",
    "集成电路",
    "新能源",
    "汽车零部件",
    "数字科技",
    "精密机械",
    "医疗器械",
    "节能环保",
    "电子信息",
]
SUFFIXES = {
    "Enterprise": ["科技有限公司", "股份有限公司", "技术有限公司", "有限公司"],
    "ResearchInstitute": ["研究院", "技术研究院", "研究所"],
    "University": ["大学", "理工大学"],
    "Platform": ["孵化器", "科技园", "众创空间", "创新中心", "产业园"],
    "Fund": ["创投基金", "产业基金"],
    "FinancialInstitution": ["创业投资有限公司", "投资管理有限公司"],
}
REPLACED = set(SUFFIXES) | {"Person"}


@dataclass
class Pools:
    """Name pools per type; sized so that names recur across articles."""

    rng: random.Random
    size: int
    names: dict[str, list[str]] = field(default_factory=dict)

    def pick(self, typ: str) -> str:
        pool = self.names.setdefault(typ, [])
        if len(pool) < self.size:
            pool.append(self._make(typ, len(pool)))
            return pool[-1]
        return self.rng.choice(pool)

    def _make(self, typ: str, i: int) -> str:
        r = self.rng
        if typ == "Person":
            return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))
        trade = r.choice(TRADE) + r.choice(TRADE)
        if typ == "University":
            return r.choice(PLACES) + trade + r.choice(SUFFIXES[typ])
        return r.choice(PLACES) + trade + r.choice(INDUSTRIES) + r.choice(SUFFIXES[typ])


@dataclass(frozen=True)
class Template:
    """A seed sentence with the spans (start, end, type) of the names to replace."""

    text: str
    slots: tuple[tuple[int, int, str], ...]


def templates(seeds: Path) -> tuple[list[Template], list[str]]:
    """Sentences of the seed pages with their organisation and person spans, and headlines."""
    from kg.extract import build_nlp
    from kg.ingest import discover, ingest_file

    nlp = build_nlp()
    out: list[Template] = []
    titles: list[str] = []
    for f in discover([seeds]):
        page = ingest_file(f)
        for art in page.articles:
            if art.title:
                titles.append(art.title)
            for sent in art.sentences:
                if len(sent.text) < 12:
                    continue
                doc = nlp(sent.text)
                spans = []
                last = -1
                for c in sorted(doc._.kg_mentions or (), key=lambda c: (c.start, -c.end)):
                    if c.type in REPLACED and c.start >= last:
                        spans.append((c.start, c.end, c.type))
                        last = c.end
                out.append(Template(sent.text, tuple(spans)))
    return out, titles


def fill(t: Template, names: dict[tuple[str, str], str], pools: Pools) -> str:
    """The template with its names replaced (the same seed name → the same new name)."""
    parts, pos = [], 0
    for s, e, typ in t.slots:
        key = (t.text[s:e], typ)
        if key not in names:
            names[key] = pools.pick(typ)
        parts.append(t.text[pos:s])
        parts.append(names[key])
        pos = e
    parts.append(t.text[pos:])
    return "".join(parts)


def article(i: int, temps: list[Template], titles: list[str], pools: Pools, target: int) -> str:
    """One article: headline, byline, then recombined sentences up to ``target`` characters."""
    r = pools.rng
    names: dict[tuple[str, str], str] = {}
    title = fill(Template(r.choice(titles), ()), names, pools) if titles else f"报道{i}"
    body: list[str] = []
    size = 0
    while size < target:
        s = fill(r.choice(temps), names, pools)
        body.append(s)
        size += len(s)
    paras = ["".join(body[k : k + 4]) for k in range(0, len(body), 4)]
    byline = f"■记者 {pools.pick('Person')} 通讯员 {pools.pick('Person')}"
    return "\n\n".join([f"# {title}", byline, *paras]) + "\n"


def generate(seeds: Path, out: Path, n: int, seed: int = 7, chars: int = 2000) -> list[Path]:
    """Write ``n`` article files into ``out``; returns their paths."""
    temps, titles = templates(seeds)
    if not temps:
        raise SystemExit(f"{seeds}: no sentences to recombine")
    pools = Pools(random.Random(seed), size=max(20, n // 4))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    width = len(str(n))
    for i in range(n):
        p = out / f"bench_{i:0{width}d}.txt"
        p.write_text(article(i, temps, titles, pools, chars), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=Path, default=Path("seeds"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--chars", type=int, default=2000, help="characters per article")
    a = ap.parse_args(argv)
    paths = generate(a.seeds, a.out, a.n, a.seed, a.chars)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} articles ({total / 1e6:.1f} MB) to {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def one_file_of_mentions(n: int):  # -> kg.extract.pipeline.PageExtraction
    """One page of ``n`` lines, each declaring a short name for an invented company (（以下简称
    “X”）), naming a second company that ends like the first, and the first again: ``3n``
    mentions made by hand (no extraction), the shape that made resolution quadratic."""
    from kg.extract.pipeline import PageExtraction
    from kg.ingest import ingest_text
    from kg.model import Mention

    syll = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
    k = len(syll)
    lines, names = ["第1版 科技 2023年2月3日", "标题"], []
    for i in range(n):
        a = syll[i % k] + syll[(i // k) % k] + syll[(i // k // k) % k] + "智联"
        lines.append(f"{a}智能装备科技有限公司（以下简称“{a}”）与{a[1:]}智能装备科技有限公司"
                     f"合作，{a}公司董事长王明出席。")
        names += [f"{a}智能装备科技有限公司", f"{a[1:]}智能装备科技有限公司", f"{a}公司"]
    page = ingest_text("mentions.txt", "\n".join(lines))
    art = page.articles[0].id
    mentions, pos = [], 0
    for name in names:
        start = page.original.index(name, pos)
        pos = start + len(name)
        mentions.append(Mention(name, "Enterprise", start, pos, art, 0, "bench"))
    return PageExtraction(page, mentions, [])
