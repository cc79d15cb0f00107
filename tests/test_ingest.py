"""Tests for reading, decoding, normalising and splitting pages (kg.ingest)."""

from __future__ import annotations

import codecs
import random
from pathlib import Path

import pytest
from conftest import fold_char

from kg.ingest import (
    InputError,
    byline_names,
    decode,
    discover,
    ingest_file,
    ingest_text,
    normalise,
    read_file,
    split_sentences,
)
from kg.model import Page

SEEDS = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))

CHINESE = "浙江清华长三角研究院平湖创新中心成立。\n科技创新是推动经济社会发展的澎湃动力。\n"
# a body line that has clause punctuation but does not end a sentence
LONG = "这是一段很长的正文内容，没有结束标点并且跨越了页面边界所以被分成了两段"


def norm(text: str) -> str:
    return normalise(text)[0]


def _fold(ch: str) -> str:
    return fold_char(ch)


def assert_offsets(page: Page) -> None:
    """The offset map invariant: every real normalised char comes from the same original char."""
    text, orig, offs = page.text, page.original, page.offsets
    assert len(offs) == len(text) + 1
    assert offs[-1] == len(orig)
    assert all(offs[k] <= offs[k + 1] for k in range(len(text))), "offsets must be monotone"
    assert all(0 <= o <= len(orig) for o in offs)
    for i, ch in enumerate(text):
        if ch == "\n":  # synthetic paragraph separator
            continue
        src = orig[offs[i]]
        if ch == " ":  # kept or synthetic word space: maps to whitespace
            assert src.isspace(), (i, ch, src)
        else:
            assert _fold(ch) == _fold(src), (i, ch, src)


# ---------------------------------------------------------------------------------------------
# decoding


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (CHINESE.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + CHINESE.encode("utf-8"), "utf-8-sig"),
        (CHINESE.encode("gb18030"), "gb18030"),
        (CHINESE.encode("gbk"), "gb18030"),
        (CHINESE.encode("utf-16"), "utf-16"),  # native order with BOM
        (codecs.BOM_UTF16_BE + CHINESE.encode("utf-16-be"), "utf-16"),
        (codecs.BOM_UTF16_LE + CHINESE.encode("utf-16-le"), "utf-16"),
    ],
    ids=["utf8", "utf8-bom", "gb18030", "gbk", "utf16", "utf16-be", "utf16-le"],
)
def test_decode_encodings_give_same_text(data: bytes, encoding: str) -> None:
    text, enc = decode(data, "page.txt")
    assert text == CHINESE
    assert "\ufeff" not in text
    assert enc == encoding


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t\r\n  ", "empty"),
        ("\u3000\u3000\n".encode(), "empty"),
        (codecs.BOM_UTF8, "empty"),
        (codecs.BOM_UTF8 + b"  \n", "empty"),
        ("  \n".encode("utf-16"), "empty"),
        (b"PK\x03\x04" + b"\x00" * 64 + b"\x14\x00\x06\x00" * 16, "binary"),
        (b"\x7fELF\x02\x01\x01" + bytes(range(256)) * 4, "binary"),
        (CHINESE.encode("utf-16-le"), "binary"),  # UTF-16 without BOM is full of NULs
    ],
    ids=["empty", "blank", "ideographic-space", "bom-only", "bom-blank", "utf16-blank", "zip",
         "elf", "utf16-no-bom"],
)
def test_decode_rejects_empty_and_binary(data: bytes, reason: str) -> None:
    with pytest.raises(InputError) as info:
        decode(data, "bad-file.txt")
    msg = str(info.value)
    assert "bad-file.txt" in msg
    assert msg.startswith("bad-file.txt: ")
    assert reason in msg


@pytest.mark.parametrize("seed", range(8))
def test_decode_rejects_random_bytes(seed: int) -> None:
    data = random.Random(seed).randbytes(1024)
    with pytest.raises(InputError, match="noise.bin"):
        decode(data, "noise.bin")


def test_decode_rejects_control_character_soup() -> None:
    data = bytes(range(1, 32)) * 20  # no NULs, valid ASCII, but all control characters
    with pytest.raises(InputError, match=r"ctl\.txt: binary"):
        decode(data, "ctl.txt")


def test_read_file_decodes(tmp_path: Path) -> None:
    f = tmp_path / "gbk.txt"
    f.write_bytes(CHINESE.encode("gbk"))
    assert read_file(f) == (CHINESE, "gb18030")
    assert read_file(str(f)) == (CHINESE, "gb18030")


def test_read_file_missing_and_directory(tmp_path: Path) -> None:
    missing = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="nope.txt"):
        read_file(missing)
    d = tmp_path / "adir.txt"
    d.mkdir()
    with pytest.raises(InputError, match="adir.txt"):
        read_file(d)
    with pytest.raises(InputError, match="nope.txt"):
        ingest_file(missing)


def test_read_file_errors_are_not_oserror(tmp_path: Path) -> None:
    loop = tmp_path / "self.txt"
    loop.symlink_to(loop)  # ELOOP on open
    with pytest.raises(InputError, match="self.txt") as info:
        read_file(loop)
    assert not isinstance(info.value, OSError)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty.txt: empty"):
        read_file(empty)


# ---------------------------------------------------------------------------------------------
# normalisation


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("浙江 清华", "浙江清华"),
        ("浙江\u3000清华", "浙江清华"),
        ("浙江  清 华", "浙江清华"),
        ("G60 科创走廊", "G60科创走廊"),
        ("抢抓 G60 科创走廊", "抢抓G60科创走廊"),
        ("拥有 1000 多个项目", "拥有1000多个项目"),
        ("hello world", "hello world"),
        ("Hello  big world", "Hello big world"),
        ("  前后空白  ", "前后空白"),
    ],
)
def test_normalise_spaces(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_normalise_joins_line_broken_inside_name() -> None:
    text, _, paras = normalise("浙江清\n华长三角研究院，")
    assert text == "浙江清华长三角研究院，"
    assert len(paras) == 1


def test_normalise_joins_hard_wrapped_paragraph() -> None:
    raw = "在2年多的院地合作中，我市已建立 拥有1000多个项目的有效储备资源库，创\n" \
          "新中心累计向平湖推荐项目238个，其中已有31个高层次人才项目落地平湖，总投\n" \
          "资近20亿元。\n"
    text, _, paras = normalise(raw)
    assert text == (
        "在2年多的院地合作中，我市已建立拥有1000多个项目的有效储备资源库，创新中心累计向平湖"
        "推荐项目238个，其中已有31个高层次人才项目落地平湖，总投资近20亿元。"
    )
    assert [p.kind for p in paras] == ["body"]


def test_normalise_joins_latin_words_across_lines_with_space() -> None:
    assert norm("The quick brown fox jumps over\nthe lazy dog，好。") == (
        "The quick brown fox jumps over the lazy dog，好。"
    )


def test_normalise_joins_paragraph_broken_across_blank_line() -> None:
    text, _, paras = normalise(LONG + "\n\n继续这句话直到结束。")
    assert text == LONG + "继续这句话直到结束。"
    assert "\n" not in text
    assert [p.kind for p in paras] == ["body"]


def test_normalise_keeps_finished_paragraph_apart() -> None:
    text, _, paras = normalise(LONG + "。\n\n新的段落开始了。")
    assert text == LONG + "。\n新的段落开始了。"
    assert [p.kind for p in paras] == ["body", "body"]


def test_normalise_short_title_stays_separate() -> None:
    text, _, paras = normalise("院地合作硕果累累\n\n" + LONG + "。")
    assert text == "院地合作硕果累累\n" + LONG + "。"
    assert [p.kind for p in paras] == ["title", "body"]
    assert text[paras[0].nstart:paras[0].nend] == "院地合作硕果累累"
    # a title directly under a body paragraph (no blank line) is split off at the sentence end
    text, _, paras = normalise(LONG + "。\n新标题\n" + LONG + "。")
    assert text.split("\n") == [LONG + "。", "新标题", LONG + "。"]
    assert [p.kind for p in paras] == ["body", "title", "body"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("数据,分析", "数据，分析"),
        ("计划(以下简称深根计划)", "计划（以下简称深根计划）"),
        ("地址:平湖", "地址：平湖"),
        ("好;坏", "好；坏"),
        ("真的?是!", "真的？是！"),
        ("近年来,我市积极响应", "近年来，我市积极响应"),
        ("共1,000人", "共1,000人"),
        ("增长3.5亿元", "增长3.5亿元"),
        ("上午10:30开会", "上午10:30开会"),
        ("ＧＤＰ增长１２％", "GDP增长12％"),
    ],
)
def test_normalise_punctuation_width(raw: str, expected: str) -> None:
    assert norm(raw) == expected


def test_normalise_curly_quotes() -> None:
    assert norm('响应"深根计划"行动，"双招双引"打开了新局面。') == (
        "响应“深根计划”行动，“双招双引”打开了新局面。"
    )
    assert norm("他说“好”。") == "他说“好”。"


def test_normalise_strips_markdown() -> None:
    text, _, paras = normalise(
        "# 加速凝聚科创力量\n\n#### ■记者 汤智娟\n\n**KEIIPINGHU** \n\n正文在这里。"
    )
    assert "#" not in text and "*" not in text
    assert text.split("\n") == ["加速凝聚科创力量", "■记者 汤智娟", "KEIIPINGHU", "正文在这里。"]
    assert [(p.kind, p.level) for p in paras] == [
        ("heading", 1), ("byline", 4), ("heading", 6), ("body", 0)
    ]


def test_normalise_drops_control_and_format_chars() -> None:
    assert norm("浙江\u200b清华\x00研究院") == "浙江清华研究院"


def test_normalise_crlf_and_separators() -> None:
    text, offs, paras = normalise("标题一\r\n\r\n" + LONG + "。\r\n")
    assert text == "标题一\n" + LONG + "。"
    assert len(paras) == 2
    assert len(offs) == len(text) + 1


# ---------------------------------------------------------------------------------------------
# the offset map


OFFSET_CASES = [
    "浙江清\n华长三角研究院",
    "浙江 清华，G60 科创走廊,1,000 个(项目):3.5 亿",
    '  # 标题\n\n**粗体**\n■通讯员 戴 亮\n"引号"说，hello\nworld 你好。',
    LONG + "\r\n\r\n继续这句话直到结束。\r\n",
    "ＡＢＣ１２３\u3000全角\t制表\u200b零宽\x00空。\n\n\n",
    "一\n\n\n\n二\n\n三。",
]


@pytest.mark.parametrize("raw", OFFSET_CASES)
def test_offset_invariant(raw: str) -> None:
    assert_offsets(ingest_text("o.txt", raw))


def test_to_original_spans_artefact() -> None:
    page = ingest_text("p.txt", "近年来我市与浙江清\n华长三角研究院合作。")
    name = "浙江清华长三角研究院"
    n = page.text.index(name)
    s, e = page.to_original(n, n + len(name))
    piece = page.original[s:e]
    assert piece == "浙江清\n华长三角研究院"
    assert "".join(piece.split()) == name


def test_to_original_spans_inner_space_and_width() -> None:
    page = ingest_text("p.txt", "抢抓 G60 科创走廊 建设,机遇。")
    n = page.text.index("G60科创走廊")
    s, e = page.to_original(n, n + len("G60科创走廊"))
    assert page.original[s:e] == "G60 科创走廊"
    n = page.text.index("，")
    assert page.original[slice(*page.to_original(n, n + 1))] == ","


def test_to_original_empty_span() -> None:
    page = ingest_text("p.txt", "浙江 清华。")
    assert page.to_original(2, 2) == (page.offsets[2], page.offsets[2])
    end = len(page.text)
    assert page.to_original(end, end) == (len(page.original), len(page.original))


# ---------------------------------------------------------------------------------------------
# sentences and bylines


def test_split_sentences_terminals() -> None:
    text = "第一句。第二句！第三句？第四句\n第五句"
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans] == ["第一句。", "第二句！", "第三句？", "第四句", "第五句"]


def test_split_sentences_closing_quote_attached() -> None:
    text = "他说：“好。”然后走了。"
    assert [text[s:e] for s, e in split_sentences(text)] == ["他说：“好。”", "然后走了。"]
    text = "他问：“真的吗？！”（完）后来呢"
    assert [text[s:e] for s, e in split_sentences(text)] == ["他问：“真的吗？！”", "（完）后来呢"]
    text = "他说“行。”"
    assert [text[s:e] for s, e in split_sentences(text)] == ["他说“行。”"]


def test_split_sentences_offset_and_blank() -> None:
    text = "甲。\n\n乙！ "
    assert split_sentences(text, 100) == [(100, 102), (104, 106)]
    assert split_sentences("") == []
    assert split_sentences("\n \n") == []


def test_split_sentences_inside_a_quote() -> None:
    text = "他说：“我们很好。大家都好。”然后走了。"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "他说：“我们很好。", "大家都好。”", "然后走了。"
    ]


def test_byline_names_two_roles() -> None:
    text = "■记者 汤智娟 通讯员 胡轶岚"
    names = byline_names(text)
    assert [(r, n) for r, n, _, _ in names] == [("记者", "汤智娟"), ("通讯员", "胡轶岚")]
    for _, n, s, e in names:
        assert text[s:e] == n


def test_byline_names_without_spaces_and_reporter() -> None:
    assert [(r, n) for r, n, _, _ in byline_names("本报记者王小明通讯员李四")] == [
        ("本报记者", "王小明"), ("通讯员", "李四")
    ]


def test_byline_split_name_joined_through_ingest() -> None:
    page = ingest_text("b.txt", "■通讯员 戴 亮\n\n正文内容在这里。")
    assert page.text.split("\n")[0] == "■通讯员 戴亮"
    assert page.articles[0].bylines == (("通讯员", "戴亮"),)
    assert_offsets(page)


def test_body_sentence_starting_with_reporter_is_not_byline() -> None:
    page = ingest_text("b.txt", "记者了解到，今年公司营收增长。\n")
    _, _, paras = normalise("记者了解到，今年公司营收增长。\n")
    assert [p.kind for p in paras] == ["body"]
    assert len(page.articles) == 1
    assert page.articles[0].bylines == ()
    assert page.articles[0].sentences[0].text == "记者了解到，今年公司营收增长。"


# ---------------------------------------------------------------------------------------------
# articles


TWO_ARTICLES = (
    "加速凝聚科创力量\n"
    "■记者 汤智娟 通讯员 胡轶岚\n"
    "科技创新是推动经济社会发展的澎湃动力。近年来，我市积极响应行动计划。\n"
    "\n"
    "院地合作硕果累累\n"
    "■记者 张三\n"
    "我市已建立项目储备资源库。创新中心累计推荐项目238个！\n"
)


def test_split_articles_two_articles() -> None:
    page = ingest_text("000_x.txt", TWO_ARTICLES)
    arts = page.articles
    assert [a.title for a in arts] == ["加速凝聚科创力量", "院地合作硕果累累"]
    assert arts[0].bylines == (("记者", "汤智娟"), ("通讯员", "胡轶岚"))
    assert arts[1].bylines == (("记者", "张三"),)
    assert [a.index for a in arts] == [0, 1]
    assert [a.id for a in arts] == ["000_x-a00", "000_x-a01"]
    assert page.text[arts[0].nstart:arts[0].nend].startswith("加速凝聚科创力量")
    assert page.text[arts[1].nstart:arts[1].nend].startswith("院地合作硕果累累")
    assert arts[0].nend < arts[1].nstart
    assert [s.text for s in arts[0].sentences][-2:] == [
        "科技创新是推动经济社会发展的澎湃动力。", "近年来，我市积极响应行动计划。"
    ]
    assert [s.text for s in arts[1].sentences][-2:] == [
        "我市已建立项目储备资源库。", "创新中心累计推荐项目238个！"
    ]
    for a in arts:
        assert [s.index for s in a.sentences] == list(range(len(a.sentences)))
        for s in a.sentences:
            assert a.nstart <= s.nstart < s.nend <= a.nend
            assert page.text[s.nstart:s.nend] == s.text
    assert_offsets(page)


def test_split_articles_markdown_headings() -> None:
    raw = "# 第一篇\n\n正文一。\n\n# 第二篇\n\n正文二。\n"
    page = ingest_text("m.txt", raw)
    assert [a.title for a in page.articles] == ["第一篇", "第二篇"]
    assert [[s.text for s in a.sentences] for a in page.articles] == [
        ["第一篇", "正文一。"], ["第二篇", "正文二。"]
    ]


def test_ingest_text_without_title() -> None:
    page = ingest_text("n.txt", "科技创新是推动经济社会发展的澎湃动力，我市积极响应。")
    assert len(page.articles) == 1
    assert page.articles[0].title == ""
    assert page.name == "n.txt" and page.encoding == "utf-8"


# ---------------------------------------------------------------------------------------------
# seeds


@pytest.mark.parametrize("path", SEEDS, ids=[p.name for p in SEEDS])
def test_ingest_seed_file(path: Path) -> None:
    page = ingest_file(path)
    assert page.name == path.name
    assert page.articles
    assert page.original == path.read_bytes().decode(page.encoding)
    for a in page.articles:
        assert a.page == path.name
        assert a.sentences
        for s in a.sentences:
            assert s.text == page.text[s.nstart:s.nend]
            assert a.nstart <= s.nstart < s.nend <= a.nend
    assert_offsets(page)


def test_seeds_exist() -> None:
    assert len(SEEDS) >= 1


# ---------------------------------------------------------------------------------------------
# discover


def test_discover_sorted_and_filtered(tmp_path: Path) -> None:
    d = tmp_path / "pages"
    d.mkdir()
    for name in ["b.txt", "a.TXT", "c.txt", "notes.md", "img.png", "README"]:
        (d / name).write_text("正文。", encoding="utf-8")
    found = discover([d])
    assert [p.name for p in found] == ["a.TXT", "b.txt", "c.txt"]
    # duplicates collapse; an explicit file is kept whatever its suffix
    extra = d / "notes.md"
    again = discover([d, d / "b.txt", extra])
    assert [p.name for p in again] == ["a.TXT", "b.txt", "c.txt", "notes.md"]


def test_discover_recurses_and_survives_symlink_loop(tmp_path: Path) -> None:
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "x.txt").write_text("甲。", encoding="utf-8")
    (d / "sub" / "y.txt").write_text("乙。", encoding="utf-8")
    (d / "loop").symlink_to(d, target_is_directory=True)
    (d / "sub" / "up").symlink_to(d, target_is_directory=True)
    found = discover([d])
    assert sorted(p.name for p in found) == ["x.txt", "y.txt"]
    assert len({p.resolve() for p in found}) == 2
    assert [p.name for p in found] == sorted(p.name for p in found)


def test_shift_jis_is_read_as_japanese_not_gb18030_garbage() -> None:
    """#17 (10): Shift-JIS bytes decode as GB18030 too, into garbage that went into the
    graph. Japanese text (kana) in Windows-932 is read as what it is; Chinese GB text stays
    GB18030."""
    ja = "平湖市の科学技術局は、浙江大学と協力協定を締結しました。研究センターを設立します。"
    assert decode(ja.encode("shift_jis")) == (ja, "shift_jis")
    zh = "平湖市科技局与浙江大学签订合作协议，共建研究中心。" * 3
    assert decode(zh.encode("gb18030")) == (zh, "gb18030")
    assert decode(zh.encode("gbk")) == (zh, "gb18030")


def test_traditional_characters_are_read_as_simplified_with_offsets_kept() -> None:
    """#18: articles in traditional characters go through the same rules: OpenCC's t2s,
    character for character, so every offset still points at the printed character."""
    from kg.ingest import simplified

    original = "標題\n\n甲乙大學與丙丁市科技局簽署合作協議，共建長三角研究院。\n"
    page = ingest_text("t.txt", original)
    assert "甲乙大学与丙丁市科技局签署合作协议" in page.text
    s = page.text.index("甲乙大学")
    a, b = page.to_original(s, s + 4)
    assert original[a:b] == "甲乙大學"
    simple = "平湖市科技局与浙江大学签订协议，显著提升。"
    assert simplified(simple) == simple


def test_printed_traditional_names_are_kept_as_aliases(tmp_path) -> None:
    from kg.build import extract_corpus, page_records, resolve_corpus

    (tmp_path / "t.txt").write_text("標題\n\n甲乙大學與丙丁市科技局簽署合作協議。\n",
                                    encoding="utf-8")
    corpus = extract_corpus([tmp_path])
    rec = page_records(resolve_corpus(corpus), ["t.txt"])[0]
    uni = next(e for e in rec["entities"] if e["name"] == "甲乙大学")
    assert "甲乙大學" in uni["aliases"]


def test_big5_is_read_as_traditional_chinese_not_gb18030_garbage() -> None:
    """Big5 pages (Taiwan, Hong Kong) decode as GB18030 too, into rare characters or control
    codes. Bytes that Big5 reads as everyday characters, and GB18030 does not, are Big5."""
    tw = "甲乙大學國際聯合學院與丙丁市政府簽署合作協議，共建長三角研究院。研究院將引進人才。"
    assert decode(tw.encode("big5")) == (tw, "big5")
    zh = "平湖市科技局与浙江大学签订合作协议，共建研究中心。" * 3
    assert decode(zh.encode("gb18030")) == (zh, "gb18030")


def test_web_page_furniture_stands_alone_and_footers_are_not_read() -> None:
    """#18: breadcrumbs, dates and source lines of web pages are read on their own (a medium
    or an author may be named there) and never glued to the headline; share bars, counters
    and footers are not read at all."""
    text = ("您当前的位置：甲乙在线 > 新闻中心 > 正文\n"
            "甲乙市召开科技大会\n"
            "2024-05-06 10:00 来源：甲乙日报 作者：王明\n"
            "分享到：\n"
            "\n"
            "甲乙市科技局与丙丁大学签订合作协议，共建研究院。\n"
            "版权所有 甲乙在线 联系我们\n")
    page = ingest_text("web.txt", text)
    (art,) = page.articles
    assert art.title == "甲乙市召开科技大会"
    sents = [s.text for s in art.sentences]
    assert sents[0].startswith("您当前的位置") and "甲乙市召开科技大会" in sents
    assert any("来源" in s and "王明" in s for s in sents)
    assert not any("分享" in s or "版权所有" in s for s in sents)


def test_menus_and_lists_of_other_pages_headlines_are_not_read() -> None:
    """A navigation menu (items between bars) and a related-pages list (精彩推荐 and the short
    headlines under it, up to a blank line) name other pages' stories: not read."""
    text = ("首页 | 新闻中心 | 视听新闻 | 甲乙风采 | 镇街风采\n"
            "精彩推荐\n"
            "丙丁镇开展科技下乡活动\n"
            "戊己大学与甲乙市共建研究院\n"
            "\n"
            "甲乙市召开科技大会\n"
            "\n"
            "甲乙市科技局与庚辛有限公司签订合作协议。\n"
            "推荐阅读\n"
            "壬癸集团落户甲乙\n")
    sents = [s.text for a in ingest_text("web.txt", text).articles for s in a.sentences]
    assert any("甲乙市科技局与庚辛有限公司签订合作协议" in s for s in sents), sents
    gone = ("新闻中心", "精彩推荐", "丙丁镇", "戊己大学", "推荐阅读", "壬癸集团")
    assert not any(k in s for s in sents for k in gone), sents


def test_a_date_and_time_line_of_a_web_page_is_not_glued_to_the_first_paragraph() -> None:
    """``2020-07-16 08:59 来源: 某报 记者 某某`` then a blank line: the page's date line stands
    alone, so the first sentence does not start with its medium and reporter."""
    text = ("甲乙市携手丙丁大学共建研究院\n"
            "2020-07-16 08:59 来源: 甲乙日报 撰文 记者 王 明\n"
            "\n"
            "  7月14日下午，甲乙市人民政府与丙丁大学举行合作协议签约仪式。\n"
            "2019-03-20 19:53:26 通讯员：某处 来源：某处 点击：\n"
            "研究院将引进人才。\n")
    (art,) = ingest_text("web.txt", text).articles
    sents = [s.text for s in art.sentences]
    assert any(s.startswith("7月14日下午") for s in sents)
    assert any(s.startswith("研究院将引进人才") for s in sents)
    assert not any("来源" in s and "签约仪式" in s for s in sents)


def test_an_image_file_name_on_its_own_line_is_not_read() -> None:
    from kg.ingest import ingest_text

    page = ingest_text(
        "p.txt", "标题\n\n正文第一段。\n\nDSC0218.JPG~tplv-resize_1600_gif.jpg\n\n县委书记讲话。\n"
    )
    sents = [s.text for a in page.articles for s in a.sentences]
    assert "县委书记讲话。" in sents and not any("jpg" in s.lower() for s in sents)


MIXED_PAGE = (
    "## 某某公司 成立\n\n■记者 戴 亮 通讯员 王小明\n\n"
    "Intel 与某某公司签约, 金额 1,000 万元。ＡＢＣ１２３\n公司\u3000成立\u200b于 10:30。\n"
    "Hello\nworld 研究院\t投入 \"资金\"。\n\n上一篇\n"
)


def test_normalise_same_offsets_beyond_the_index_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page longer than the shared table of indexes gets the same offsets from ranges."""
    import kg.ingest as ingest

    expected = normalise(MIXED_PAGE)
    monkeypatch.setattr(ingest, "INDEX_TABLE_MAX", 8)
    assert normalise(MIXED_PAGE) == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r", "\u2028"])
def test_normalise_offsets_with_any_line_break(newline: str) -> None:
    """The usual "\\n" page and pages with other line breaks: same text, offsets that hold."""
    page = ingest_text("p.txt", MIXED_PAGE.replace("\n", newline))
    assert_offsets(page)
    assert page.text == normalise(MIXED_PAGE)[0]
