"""Read, decode and normalise article pages; split them into articles and sentences.

The text comes from PDF pages of a newspaper column. Its artefacts are spaces inside words,
lines broken inside sentences and names (the column is hard-wrapped), paragraphs broken across
blank lines at page breaks, and a mix of half- and full-width punctuation. Normalisation repairs
these while keeping, for every normalised character, the index of the original character it
came from (:attr:`kg.model.Page.offsets`).
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .memory import fewer_collections
from .model import Article, Page, Sentence


class InputError(Exception):
    """An input file cannot be used; the message names the file and the reason."""


ENCODINGS: tuple[str, ...] = ("utf-8", "gb18030")
TERMINALS = "。！？!?；;…"
CLOSERS = "”’」』）)》"
SENTENCE_END = "。！？!?"
BYLINE_ROLES = ("记者", "通讯员", "摄影", "摄", "编辑", "版式", "校对")
_BYLINE_RE = re.compile(r"^[■◆●▲★\s#]*(记者|通讯员|摄影|本报记者)\s*\S")
_MD_HEADING_RE = re.compile(r"^(#{1,6})\s*")
_BOLD_RE = re.compile(r"^\*\*(.*?)\*\*\s*$")


def is_cjk(ch: str) -> bool:
    """True for CJK ideographs (and the ideographic number zero)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2FFFF
        or 0xF900 <= o <= 0xFAFF
        or ch == "〇"
    )


def is_cjk_or_punct(ch: str) -> bool:
    """CJK ideographs, CJK punctuation and full-width forms: no space belongs next to them."""
    if is_cjk(ch):
        return True
    o = ord(ch)
    return 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or ch in "“”‘’■◎●◆·—…、"


# ---------------------------------------------------------------------------------------------
# decoding


def decode(data: bytes, name: str = "<input>") -> tuple[str, str]:
    """Decode file bytes; return ``(text, encoding)``.

    Tries UTF-8 (with or without BOM), UTF-16 with a BOM, then GB18030. Raises
    :class:`InputError` for empty, binary or undecodable input.
    """
    if not data.strip():
        raise InputError(f"{name}: empty file")
    if data.startswith(codecs.BOM_UTF8):
        candidates: Iterable[str] = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        candidates = ("utf-16",)
    else:
        if b"\x00" in data[:4096] and data.count(b"\x00") > len(data) // 100:
            raise InputError(f"{name}: binary file (contains NUL bytes), not a text article")
        candidates = ENCODINGS
    for enc in candidates:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030":  # other legacy encodings that GB18030 also "decodes"
            if (japanese := _as_shift_jis(data)) is not None:
                return japanese, "shift_jis"
            if (big5 := _as_big5(data, text)) is not None:
                return big5, "big5"
        if _looks_binary(text):
            raise InputError(f"{name}: binary file (control characters), not a text article")
        if not text.strip():
            raise InputError(f"{name}: empty file")
        return text, enc
    if b"\x00" in data or sum(b < 9 for b in data[:4096]) > 16:
        raise InputError(f"{name}: binary file (not text in UTF-8, UTF-16 or GB18030)")
    raise InputError(f"{name}: cannot decode as UTF-8, UTF-16 (with BOM) or GB18030")


_KANA = re.compile("[\u3041-\u3096\u30a1-\u30fa]")


def _as_shift_jis(data: bytes) -> str | None:
    """The text of Japanese Shift-JIS bytes, which GB18030 also decodes (into garbage); or
    ``None``. Shift-JIS it is when the bytes decode strictly as Windows-932 and kana make up
    at least a twentieth of the characters beyond ASCII: Chinese GB text decoded that way
    gives no full-width kana, whose Shift-JIS lead bytes are rare GBK extensions."""
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError:
        return None
    wide = sum(1 for c in text if ord(c) > 0x7F)
    kana = len(_KANA.findall(text))
    return text if kana >= 3 and kana * 20 >= wide else None


def _common_share(text: str) -> float:
    """The share of the ideographs of (the start of) ``text``, once simplified, that are in
    GB2312, the 6,763 characters of everyday Chinese (1.0 without ideographs)."""
    sample = simplified(text[:4000])
    han = [c for c in sample if is_cjk(c)]
    if not han:
        return 1.0
    common = 0
    for c in han:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(han)


def _as_big5(data: bytes, as_gb: str) -> str | None:
    """The text of Big5 bytes (traditional Chinese, Taiwan and Hong Kong pages), which GB18030
    also decodes, into rare characters; or ``None``. Big5 it is when the bytes decode strictly
    as Big5 into everyday characters and the GB18030 reading does not."""
    if _common_share(as_gb) >= 0.9:
        return None
    try:
        text = data.decode("big5")
    except UnicodeDecodeError:
        return None
    return text if _common_share(text) >= 0.97 else None


# Cc (but \t \n \r \f), Cs and Co: the characters _looks_binary counts
_BINARY_CHARS = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff\U000f0000-\U0010ffff]"
)


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if sample.replace("\n", "").isprintable() or not _BINARY_CHARS.search(sample):
        return False  # no control (but \t\n\r\f), surrogate or private-use character at all
    bad = sum(
        1 for c in sample if unicodedata.category(c) in ("Cc", "Cs", "Co") and c not in "\t\n\r\f"
    )
    return bad > max(8, len(sample) // 50)


#: Default largest input file (bytes). A newspaper page is about 20 KB; extraction costs about
#: 20 s and 0.5 GB of memory per MB, so bigger files are refused (override: ``KG_MAX_FILE_MB``).
MAX_FILE_BYTES = 4 * 1024 * 1024


def max_file_bytes() -> int:
    """The size limit in force: ``KG_MAX_FILE_MB`` from the environment, else the default."""
    raw = os.environ.get("KG_MAX_FILE_MB", "").strip()
    if raw:
        try:
            mb = float(raw)
        except ValueError:
            mb = 0.0
        if mb > 0:
            return int(mb * 1024 * 1024)
    return MAX_FILE_BYTES


def _path(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` (as it is if it is one: parsing again costs)."""
    return path if isinstance(path, Path) else Path(path)


def display_name(path: str | Path) -> str:
    """A file's name as printable text: undecodable bytes of the name shown as ``\\xNN``, and
    control, line-break and bidi characters as ``\\xNN``/``\\uNNNN`` (a name cannot move
    the terminal's cursor, colour it or start a fake log line).

    >>> display_name("a\\x1b[31mred\\nwarning: b.txt")
    'a\\\\x1b[31mred\\\\nwarning: b.txt'
    """
    name = _path(path).name or str(path)
    return printable(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace"))


_UNPRINTABLE = re.compile("[\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200b-\\u200f\\u2028-\\u202e"
                          "\\u2066-\\u2069\\ufeff]")


def printable(text: str) -> str:
    """``text`` with every character that acts on a terminal (C0/C1 controls, DEL, line and
    paragraph separators, zero-width and bidi controls) escaped as Python would write it."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group(0))[1:-1], text)


def read_file(path: str | Path, max_bytes: int | None = None) -> tuple[str, str]:
    """Read and decode a file; :class:`InputError` on any problem (never ``OSError``).

    Only regular files are read (a FIFO or device would block or never end); files larger than
    ``max_bytes`` (default :func:`max_file_bytes`) are refused before they are read.
    """
    p = _path(path)
    return decode(read_bytes(p, max_bytes), display_name(p))


def read_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """The raw bytes of a regular file, with :func:`read_file`'s checks and errors."""
    p = _path(path)
    name = display_name(p)
    limit = max_file_bytes() if max_bytes is None else max_bytes
    try:
        st = p.stat()
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{name}: is a directory")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{name}: not a regular file ({_kind(st.st_mode)})")
        if st.st_size > limit:
            raise InputError(
                f"{name}: too large ({_mb(st.st_size)} > limit {_mb(limit)}; "
                "set KG_MAX_FILE_MB to raise it)"
            )
        with p.open("rb") as fh:
            data = fh.read(limit + 1)
    except InputError:
        raise
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except FileNotFoundError:
        what = "broken symbolic link" if p.is_symlink() else "no such file"
        raise InputError(f"{name}: {what}") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None
    if len(data) > limit:  # grew while we looked
        raise InputError(f"{name}: too large (> limit {_mb(limit)}; set KG_MAX_FILE_MB)")
    return data


def ingest_bytes(name: str, data: bytes) -> Page:
    """Decode, normalise and split bytes already read (by :func:`read_bytes`)."""
    original, enc = decode(data, name)
    return ingest_text(name, original, enc)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "special file"


# ---------------------------------------------------------------------------------------------
# normalisation


_WIDTH_PUNCT = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}


@dataclass(slots=True)
class _Line:
    """A line of the page: its kind and its characters (whitespace-trimmed, markup removed),
    which are the original text's from ``start`` on (``text[i]`` is original ``start + i``)."""

    kind: str  # "blank" | "heading" | "byline" | "meta" | "boilerplate" | "body"
    text: str
    start: int
    level: int = 0  # markdown heading level


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A normalised paragraph: kind and span in the normalised page text."""

    kind: str  # "heading" | "title" | "byline" | "meta" | "boilerplate" | "body"
    nstart: int
    nend: int
    level: int = 0


_LINE_BREAK_RE = re.compile("\r\n|[\r\n\u2028\u2029\x0b\x0c\x85]")


_ODD_LINE_BREAKS = "\r\u2028\u2029\x0b\x0c\x85"  # line breaks beside "\n"


def _split_lines(text: str) -> Iterator[tuple[int, int]]:
    """Yield ``(start, end)`` for each line (``end`` indexes its break, or is ``len``)."""
    i = 0
    for m in _LINE_BREAK_RE.finditer(text):
        yield i, m.start()
        i = m.end()
    yield i, len(text)


def _lines(text: str) -> list[_Line]:
    """The page's lines, each classified (:func:`_classify`).

    >>> [(ln.kind, ln.text, ln.start) for ln in _lines("标题\\r\\n\\n 正文")]
    [('body', '标题', 0), ('blank', '', 4), ('body', '正文', 6)]
    """
    if any(c in text for c in _ODD_LINE_BREAKS):
        return [_classify(text[s:e], s) for s, e in _split_lines(text)]
    lines = []
    start = 0
    for raw in text.split("\n"):  # the usual page: one kind of line break
        lines.append(_classify(raw, start))
        start += len(raw) + 1
    return lines


# Web page furniture. "meta" lines (where one is, when and from whom: breadcrumbs, dates,
# sources, authors, editors) stand alone: read for names, never joined to a title or a
# sentence. "boilerplate" lines (share bars, counters, footers, menus) are not read at all.
_META_RE = re.compile(
    r"^(?:您?(?:当前|现在)?(?:的|所在)?位置|当前位置|我的位置|所在位置|首页\s*[>»＞›]"
    r"|(?:发布|发表|更新|创建)(?:时间|日期)|时间\s*[:：]|(?:信息|文章|新闻)?来源\s*[:：]"
    r"|作者\s*[:：]|(?:责任|文字|栏目)?编辑\s*[:：]|栏目主编|稿源|供稿|投稿\s*[:：])"
    r"|\S\s*[>»＞›]\s*\S[^>»＞›]*[>»＞›]"
    r"|\d{4}[-年./]\d{1,2}[-月./]\d{1,2}日?\s*(?:(?:星期|周)[一二三四五六日天])?\s*$"
    # a page's date with its clock time or its source: 2020-07-16 08:59 来源: 某报 记者 某某
    r"|\d{4}[-年./]\d{1,2}[-月./]\d{1,2}日?\s*(?:\d{1,2}[:：]\d{2}"
    r"|\s(?:来源|作者|编辑|记者|通讯员|发布|浏览|点击))"
)
_BOILERPLATE_RE = re.compile(
    r"分享(?:到|至)|收藏|打印|关闭(?:窗口|本页)|字号|【字体|浏览(?:量|次数)|点击(?:数|量|率|蓝字)"
    r"|阅读(?:量|数)|版权所有|Copyright|©|ICP备|网站地图|关于我们|联系我们|联系方式|举报"
    r"|免责声明|技术支持|扫一扫|关注我们|上一篇|下一篇|返回(?:首页|顶部|列表)|搜索历史"
)
#: Furniture lines are short; a longer line that mentions 联系方式 is a sentence.
FURNITURE_MAX = 40


#: An image's file name left on its own line by a page's photo (DSC0218.JPG~…_1600.jpg).
_IMAGE_FILE_RE = re.compile(r"^\S*\.(?:jpe?g|png|gif|webp|bmp)(?:[~?]\S*)?$", re.IGNORECASE)


def _furniture(line: str) -> str:
    """``"meta"`` or ``"boilerplate"`` for a line of web page furniture, else ``""``."""
    if "." in line and _IMAGE_FILE_RE.match(line):
        return "boilerplate"
    if len(line) > 2 * FURNITURE_MAX:
        return ""
    if _META_RE.match(line):
        return "meta"
    if len(line) <= FURNITURE_MAX and _BOILERPLATE_RE.search(line):
        return "boilerplate"
    return ""


# a web page's list of other pages' headlines (精彩推荐, 相关阅读 …): not the article
_RELATED_HEADER_RE = re.compile(
    r"^[【\[]?(?:相关(?:新闻|阅读|文章|链接|推荐|报道)|推荐(?:阅读|文章|新闻)|延伸阅读"
    r"|热门(?:推荐|文章|新闻)|热点(?:新闻|推荐)|精彩推荐|猜你喜欢|最新(?:文章|新闻|资讯)"
    r"|图片新闻|更多(?:新闻|资讯))[】\]]?\s*[:：]?$"
)
# a navigation menu: short items between bars (首页 | 新闻中心 | 视听新闻 | …)
_MENU_RE = re.compile(r"^(?:[^|｜]{1,8}[|｜]){3,}[^|｜]{0,8}$")
_SENTENCE_END_RE = re.compile("[。！？!?；;]")


def _related_lists(lines: list[_Line]) -> list[_Line]:
    """Mark as boilerplate a navigation menu line and a related-pages list: its header line
    (精彩推荐) and the short lines without a sentence's end that follow it, up to a blank
    line or a longer one. Such lines name other pages' stories, not this article's. The lines
    are marked in place and returned."""
    in_list = False
    for ln in lines:
        if ln.kind != "body":
            in_list = in_list and ln.kind != "blank"
            continue
        body = ln.text  # already trimmed
        if (
            ("|" in body or "｜" in body) and _MENU_RE.match(body.replace(" ", ""))
        ) or _RELATED_HEADER_RE.match(body):
            in_list = bool(_RELATED_HEADER_RE.match(body))
            ln.kind = "boilerplate"
        elif in_list:
            if len(body) <= FURNITURE_MAX and not _SENTENCE_END_RE.search(body):
                ln.kind = "boilerplate"
            else:
                in_list = False
    return lines


_BYLINE_PUNCT_RE = re.compile("[，。,：:]")


def _classify(raw: str, start: int) -> _Line:
    """The line ``raw``, which starts at original index ``start``: its kind, its characters
    and where they start.

    >>> _classify("## 标题 ", 2)
    _Line(kind='heading', text='标题', start=5, level=2)
    """
    body = raw.strip()
    if not body:
        return _Line("blank", "", start)
    s = start + len(raw) - len(raw.lstrip())
    kind, level = "body", 0
    if body[0] == "#" and (m := _MD_HEADING_RE.match(body)):
        level = len(m.group(1))
        s += m.end()
        body = body[m.end() :]
        kind = "heading"
    if body.startswith("**") and (mb := _BOLD_RE.match(body)):
        s += 2
        body = mb.group(1)
        kind = "heading"
        level = level or 6
    if _BYLINE_RE.match(body) and len(body) <= 40 and not _BYLINE_PUNCT_RE.search(body):
        kind = "byline"
    elif kind == "body":
        return _Line(_furniture(body) or kind, body, s)  # stripped, no markup removed
    trimmed = body.lstrip()
    return _Line(kind, trimmed.rstrip(), s + len(body) - len(trimmed), level)


_FULL_WIDTH_ALNUM = str.maketrans(
    {
        chr(c): chr(c - 0xFEE0)
        for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
        for c in range(r[0], r[1] + 1)
    }
)
_FULL_WIDTH = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_ASCII_WIDTH_PUNCT = re.compile("[" + re.escape("".join(_WIDTH_PUNCT)) + "]")
# what cleaning changes or judges in a printable paragraph (one pass of the text)
_FULL_WIDTH_SPACE_OR_PUNCT = re.compile(
    "[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a " + re.escape("".join(_WIDTH_PUNCT)) + "]"
)


def _latin_break(last: str, first: str) -> bool:
    """Do two lines meet inside Latin text (a letter ends one, a letter starts the next)? The
    paragraph then gets a space between them."""
    return last.isascii() and last.isalpha() and first.isascii() and first.isalpha()


def _pieces(lines: list[_Line]) -> list[tuple[str, int]]:
    """The lines' texts as one paragraph, each with the original offset it starts at: a space
    between two lines where a Latin word ends one and another starts the next
    (:func:`_latin_break`), mapped to the line break before the second.

    >>> _pieces([_Line("body", "ab", 3), _Line("body", "", 5), _Line("body", "cd", 6)])
    [('ab', 3), (' ', 5), ('cd', 6)]
    """
    if len(lines) == 1:
        return [(lines[0].text, lines[0].start)] if lines[0].text else []
    out: list[tuple[str, int]] = []
    last = ""
    for ln in lines:
        if not ln.text:
            continue
        if last and _latin_break(last, ln.text[0]):
            out.append((" ", ln.start - 1))
        out.append((ln.text, ln.start))
        last = ln.text[-1]
    return out


def _clean_already(line: str) -> bool:
    """Does :func:`_clean_chars` leave this (non-byline) paragraph as it is? No control,
    format or odd space character, no full-width letter or digit, no space or ASCII
    punctuation to judge.

    >>> _clean_already("某某公司成立。"), _clean_already("某某公司 成立"), _clean_already("Ａ公司")
    (True, False, False)
    """
    return line.isprintable() and _FULL_WIDTH_SPACE_OR_PUNCT.search(line) is None


# odd spaces become plain ones, full-width letters and digits ASCII ones
_CLEAN_TABLE = {**_FULL_WIDTH_ALNUM, 0x3000: " ", 0xA0: " ", 0x09: " "}
# what cleaning looks at once characters are mapped: a run of spaces, or ASCII punctuation
_SPACES_OR_WIDTH_PUNCT = re.compile("( +)|" + _ASCII_WIDTH_PUNCT.pattern)


def _clean_chars(
    line: str, offsets: list[int], *, byline: bool = False
) -> tuple[str, list[int]]:
    """Width-normalise a paragraph and drop its spaces that are PDF artefacts; ``offsets``:
    the original index of each character of ``line``. Returns the cleaned text and the
    offsets of its characters.

    Odd spaces (ideographic, no-break, tab) become plain ones, full-width letters and digits
    ASCII ones, and control and format characters go. Of a run of spaces at most the first
    stays, and only between two characters that are not CJK (a byline keeps it between any
    two); ASCII punctuation turns full-width unless :func:`_stays_ascii`.

    >>> _clean_chars("某某 公司, Ａ B", [0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    ('某某公司，A B', [0, 1, 3, 4, 5, 7, 8, 9])
    """
    text = line  # (translating costs; a printable paragraph has no odd space to map)
    if not line.isprintable() or _FULL_WIDTH.search(line):
        text = line.translate(_CLEAN_TABLE)
    if not text.isprintable():
        drop = {c for c in set(text) if unicodedata.category(c) in ("Cc", "Cf")}
        if drop:  # control and format characters (NUL, zero-width, bidi overrides)
            keep = [k for k, c in enumerate(text) if c not in drop]
            text = "".join([text[k] for k in keep])
            offsets = [offsets[k] for k in keep]
    # (start, end, replacement): characters removed or replaced, in order
    edits: list[tuple[int, int, str]] = []
    n = len(text)
    last = ""  # the last character kept (as it is output) before the current position
    done = 0  # where the text after the last edit starts
    for m in _SPACES_OR_WIDTH_PUNCT.finditer(text):
        k, e = m.span()
        if k > done:
            last = text[k - 1]
        done = e
        if m.group(1):  # spaces up to ``e``: keep the first, or none
            nxt = text[e] if e < n else ""
            if (
                not last
                or not nxt
                or last == " "
                or not byline
                and (
                    is_cjk_or_punct(last)
                    or is_cjk_or_punct(nxt)
                    or last.isdigit() and not nxt.isalnum()
                    or nxt.isdigit() and not last.isalnum()
                )
            ):
                edits.append((k, e, ""))
            else:
                if e > k + 1:
                    edits.append((k + 1, e, ""))
                last = " "
            continue
        c = text[k]
        nxt = text[k + 1] if k + 1 < n else ""
        if not _stays_ascii(c, last, nxt):
            c = _WIDTH_PUNCT[c]
            edits.append((k, e, c))
        last = c
    if edits:
        text, offsets = _edited(text, offsets, edits)
    if byline:
        text, offsets = _merge_byline_singletons(text, offsets)
    return text, offsets


def _edited(
    text: str, offsets: list[int], edits: list[tuple[int, int, str]]
) -> tuple[str, list[int]]:
    """``text`` and its ``offsets`` with ``edits`` made: ``(start, end, replacement)`` in
    order, each replacing ``text[start:end]`` by nothing or by one character (at the offset
    of ``start``).

    >>> _edited("a  b,c", [0, 1, 2, 3, 4, 5], [(2, 3, ""), (4, 5, "，")])
    ('a b，c', [0, 1, 3, 4, 5])
    """
    pieces: list[str] = []
    out: list[int] = []
    done = 0
    for start, end, replacement in edits:
        pieces.append(text[done:start])
        out.extend(offsets[done:start])
        if replacement:
            pieces.append(replacement)
            out.append(offsets[start])
        done = end
    pieces.append(text[done:])
    out.extend(offsets[done:])
    return "".join(pieces), out


def _stays_ascii(c: str, prev: str, nxt: str) -> bool:
    """Does ASCII punctuation ``c`` between ``prev`` and ``nxt`` stay as it is? Digit groups and
    times (1,000 / 10:30) and ASCII words' punctuation (a:b, Q&A?) do; the rest turns full-width."""
    between_ascii = prev.isascii() and prev.isalnum() and nxt.isascii() and nxt.isalnum()
    if c in ",:" and between_ascii and prev.isdigit() and nxt.isdigit():
        return True
    return between_ascii and c in ":;?!"


_BYLINE_SINGLETON_RE = re.compile(r"(?<![^\s■])([\u4e00-\u9fff]) (?=[\u4e00-\u9fff](?:\s|$))")


def _merge_byline_singletons(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """In a byline, ``戴 亮`` (a name split by a space) becomes ``戴亮``.

    >>> _merge_byline_singletons("记者 戴 亮", [0, 1, 2, 3, 4, 5])
    ('记者 戴亮', [0, 1, 2, 3, 5])
    """
    edits = [(m.end(1), m.end(1) + 1, "") for m in _BYLINE_SINGLETON_RE.finditer(text)]
    return _edited(text, offsets, edits) if edits else (text, offsets)


_CLOSERS_OR_QUOTES = CLOSERS + "\"'"


def _ends_sentence(text: str) -> bool:
    """Does the text end a sentence (a terminal mark, then maybe closing marks)?"""
    text = text.rstrip(_CLOSERS_OR_QUOTES)
    return bool(text) and text[-1] in TERMINALS


def _lines_end_sentence(lines: list[_Line]) -> bool:
    """:func:`_ends_sentence` of the lines' joined characters, without joining them."""
    for ln in reversed(lines):
        text = ln.text.rstrip(_CLOSERS_OR_QUOTES)
        if text:
            return text[-1] in TERMINALS
    return False


# characters that continue a sentence and never open one
_NO_SENTENCE_START = frozenset("是的了与和及并而于")
_CLAUSE_PUNCT_RE = re.compile("[，。、；：！？,;:!?]")


def _block_paragraphs(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """Split a block of consecutive body lines into paragraphs at short lines (early breaks)."""
    if len(lines) == 1:  # the usual block: one line, a paragraph or a title
        text = lines[0].text
        kind = "title" if len(text) <= 60 and not _CLAUSE_PUNCT_RE.search(text) else "body"
        return [(kind, lines)]
    width = max(len(ln.text) for ln in lines)
    paras: list[tuple[str, list[_Line]]] = []
    cur: list[_Line] = []
    final = len(lines) - 1
    for k, ln in enumerate(lines):
        cur.append(ln)
        if k < final and (
            width >= 10 and len(ln.text) < 0.6 * width or _ends_sentence(ln.text)
        ):
            paras.append(("body", cur))
            cur = []
    if cur:
        paras.append(("body", cur))
    out: list[tuple[str, list[_Line]]] = []
    for kind, pl in paras:
        if len(pl) == 1 and len(pl[0].text) <= 60 and not _CLAUSE_PUNCT_RE.search(pl[0].text):
            kind = "title"
        out.append((kind, pl))
    return out


#: Pages up to this many characters take their offsets from :func:`_indexes`' table.
INDEX_TABLE_MAX = 1 << 18
_index_table: tuple[int, ...] = ()


def _indexes(n: int) -> Sequence[int]:
    """``0 … n - 1`` (or more) to slice offsets from: a table shared by all pages of up to
    :data:`INDEX_TABLE_MAX` characters, else a ``range``. A slice of the table copies
    references to its ``int`` objects where a ``range`` makes a new object per character
    (about a tenth of normalisation's time, and 28 bytes a character while pages are held).

    >>> list(_indexes(5)[2:4]), _indexes(INDEX_TABLE_MAX + 1)[2:4]
    ([2, 3], range(2, 4))
    """
    global _index_table
    if n > INDEX_TABLE_MAX:
        return range(n)
    table = _index_table  # (a table at least n long, whatever another thread does meanwhile)
    if len(table) < n:  # grown to the longest page so far (twice, to grow seldom)
        table = tuple(range(min(max(n, 2 * len(table)), INDEX_TABLE_MAX)))
        _index_table = table
    return table


def normalise(text: str) -> tuple[str, tuple[int, ...], list[Paragraph]]:
    """Normalise page text.

    Returns ``(normalised, offsets, paragraphs)`` where ``offsets[i]`` is the original index of
    normalised character ``i`` (one extra item maps the end) and paragraphs are separated by a
    single ``"\\n"`` in the normalised text.
    """
    with fewer_collections():  # many short-lived objects: few cycles for the collector to find
        return _normalise(text)


def _normalise(text: str) -> tuple[str, tuple[int, ...], list[Paragraph]]:
    # group into blocks of body lines; headings, bylines and furniture stand alone
    units: list[tuple[str, list[_Line], int]] = []  # (kind, lines, level)
    block: list[_Line] = []
    for ln in _related_lists(_lines(text)):
        if ln.kind == "body":
            block.append(ln)
            continue
        if block:
            units.extend([(kind, pl, 0) for kind, pl in _block_paragraphs(block)])
            block = []
        if ln.kind != "blank":
            units.append((ln.kind, [ln], ln.level))
    if block:
        units.extend([(kind, pl, 0) for kind, pl in _block_paragraphs(block)])

    # join paragraphs that a page break cut (previous ends mid-sentence, both are body)
    merged: list[tuple[str, list[_Line], int]] = []
    merged_len = 0  # characters in merged[-1] (kept so that long merges stay linear)
    for kind, pl, level in units:
        if (
            merged
            and kind == "body"
            and merged[-1][0] == "title"
            and pl[0].text
            and pl[0].text[0] in _NO_SENTENCE_START
        ):
            # a name alone on a line, then 是我市一家…: one sentence broken early, not a heading
            merged[-1] = ("body", merged[-1][1] + list(pl), merged[-1][2])
            merged_len += sum([len(ln.text) for ln in pl])
            continue
        if merged and kind in ("body", "title") and merged[-1][0] == "body":
            if not _lines_end_sentence(merged[-1][1]) and merged_len > 20:
                merged[-1][1].extend(pl)
                merged_len += sum([len(ln.text) for ln in pl])
                continue
        merged.append((kind, list(pl), level))
        merged_len = sum([len(ln.text) for ln in pl])

    indexes = _indexes(len(text))
    pieces: list[str] = []  # paragraphs and the "\n" between them
    offsets: list[int] = []
    paragraphs: list[Paragraph] = []
    size = 0  # characters in pieces
    for kind, pl, level in merged:
        parts = _pieces(pl)
        para = "".join([t for t, _ in parts])
        cleaned: list[int] | None = None
        if kind == "byline" or not _clean_already(para):
            before = [o for t, p in parts for o in indexes[p : p + len(t)]]
            para, cleaned = _clean_chars(para, before, byline=kind == "byline")
        if not para:  # paragraph vanished (only control chars)
            continue
        if pieces:
            # the separator maps to the line break before the paragraph; offsets stay monotone
            pieces.append("\n")
            offsets.append(max(pl[0].start - 1 if pl[0].text else 0, offsets[-1]))
            size += 1
        pieces.append(_curly_quotes(para) if '"' in para else para)
        if cleaned is None:  # the usual paragraph: its lines' own characters at their offsets
            for t, p in parts:
                offsets.extend(indexes[p : p + len(t)])
        else:
            offsets.extend(cleaned)
        paragraphs.append(Paragraph(kind, size, size + len(para), level))
        size += len(para)
    offsets.append(len(text))
    return simplified("".join(pieces)), tuple(offsets), paragraphs


def simplified(text: str) -> str:
    """Traditional characters as simplified ones (OpenCC's ``t2s``), character for character,
    so that every offset still holds; simplified text comes back unchanged. Where OpenCC
    would change the length (a phrase conversion), that line is converted character by
    character."""
    if text.isascii():
        return text
    conv = _t2s()
    if conv is None:
        return text
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    lines = []
    for line in text.split("\n"):
        done = conv.convert(line)
        if len(done) != len(line):
            done = "".join(c if len(d := conv.convert(c)) != 1 else d for c in line)
        lines.append(done)
    return "\n".join(lines)


@functools.lru_cache(maxsize=1)
def _t2s() -> Any:
    """OpenCC's traditional-to-simplified converter (``None`` if OpenCC is not installed)."""
    try:
        import opencc
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return opencc.OpenCC("t2s")


def _curly_quotes(text: str) -> str:
    """Straight double quotes become “ and ” alternately within a paragraph.

    >>> _curly_quotes('称"某某"和"某某"')
    '称“某某”和“某某”'
    """
    parts = text.split('"')
    out = [parts[0]]
    for k, part in enumerate(parts[1:]):
        out.append("”" if k % 2 else "“")
        out.append(part)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# articles and sentences

# A sentence up to its end mark (。！？ and closing quotes) or the line's end; group 1 is the
# sentence without the spaces around it: from the first character that is not a space to the
# end mark, else to the last character that is not a space.
_SENT_RE = re.compile(
    r" *((?:[^。！？!?\n ](?:[^。！？!?\n]*[^。！？!?\n ])?)?(?: *[。！？!?]+[”’」』）)]*)?) *\n?"
)


#: Longest sentence handed to extraction. Real sentences of the column stay under about 220
#: characters; a longer run (a list without full stops, or hostile input) is cut at a clause
#: mark so that extraction work per sentence stays bounded.
MAX_SENTENCE_CHARS = 300
_CLAUSE_MARKS = "，；、：,;:"


def split_sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Split normalised text into sentence spans ``(start, end)`` (shifted by ``offset``).

    A sentence ends at 。！？ (with the closing quotes that follow) or at a paragraph break.
    Sentences longer than :data:`MAX_SENTENCE_CHARS` are cut after the last clause mark
    (，；、：) in their second half, else hard at the limit.
    """
    spans: list[tuple[int, int]] = []
    for m in _SENT_RE.finditer(text):
        s, e = m.span(1)
        while e - s > MAX_SENTENCE_CHARS:
            lo, hi = s + MAX_SENTENCE_CHARS // 2, s + MAX_SENTENCE_CHARS
            cut = max(text.rfind(ch, lo, hi) for ch in _CLAUSE_MARKS) + 1 or hi
            if cut <= lo:
                cut = hi
            end = cut
            while end > s and text[end - 1] in " \n":
                end -= 1
            if end > s:
                spans.append((s + offset, end + offset))
            s = cut
            while s < e and text[s] in " \n":
                s += 1
        if e > s:
            spans.append((s + offset, e + offset))
    return spans


_ROLE_SPLIT_RE = re.compile(r"(本报记者|记者|通讯员|摄影)")


def byline_names(text: str) -> list[tuple[str, str, int, int]]:
    """Names in a byline: ``(role, name, start, end)`` with offsets into ``text``.

    ``■记者 王小明 通讯员 李小红`` gives two names; names are 2–4 ideographs separated by
    spaces or by the next role word.
    """
    out: list[tuple[str, str, int, int]] = []
    parts = _ROLE_SPLIT_RE.split(text)
    pos = 0
    role = ""
    for part in parts:
        if _ROLE_SPLIT_RE.fullmatch(part):
            role = part
        elif role:
            for m in re.finditer(r"[\u4e00-\u9fff]{2,4}", part):
                out.append((role, m.group(), pos + m.start(), pos + m.end()))
        pos += len(part)
    return out


_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_DOUBLED_END_RE = re.compile(r"([\u3400-\u9fff]{2,6})\1$")


def _headline(lines: list[str]) -> str:
    """An article's title from its headline lines as the page lays them out.

    A line without a Chinese character (a masthead such as ``KEIIPINGHU``) is left out when
    another remains, and so is a first line of four characters or fewer before another (a
    column's name: 科技资讯); a running header printed twice at a line's end (``…科技资讯科技资讯``)
    is cut; lines are joined with a space where neither side has a mark (main title and
    subtitle stay apart), else directly.

    >>> _headline(["KEIIPINGHU", "加速凝聚科创力量", "院地合作硕果累累"])
    '加速凝聚科创力量 院地合作硕果累累'
    >>> _headline(["科技资讯", "某某活动举行"])
    '某某活动举行'
    >>> _headline(["为平湖贡献力量科技资讯科技资讯"]), _headline(["打造引擎——", "风采展示"])
    ('为平湖贡献力量', '打造引擎——风采展示')
    """
    kept = [ln.strip() for ln in lines if ln.strip()]
    if any(_CJK_RE.search(ln) for ln in kept):
        kept = [ln for ln in kept if _CJK_RE.search(ln)]
    if len(kept) > 1 and len(kept[0]) <= 4:
        kept = kept[1:]
    out = ""
    for ln in kept:
        cut = _DOUBLED_END_RE.sub("", ln)
        ln = cut if len(cut) >= 4 else ln
        if out and _CJK_RE.match(out[-1]) and _CJK_RE.match(ln[0]):
            out += " "
        out += ln
    return out


def split_articles(page_name: str, text: str, paragraphs: list[Paragraph]) -> list[Article]:
    """Group paragraphs into articles.

    An article starts at a group of headline paragraphs that has a byline next to it or a
    top-level heading, or at a byline (记者/通讯员) that sits between body paragraphs.
    Sub-headings inside an article do not start a new one.
    """
    n = len(paragraphs)
    starts: list[int] = []
    k = 0
    while k < n:
        p = paragraphs[k]
        if p.kind in ("heading", "title"):
            j = k
            while j < n and paragraphs[j].kind in ("heading", "title", "byline"):
                j += 1
            group = paragraphs[k:j]
            has_byline = any(q.kind == "byline" for q in group)
            prev_byline = k > 0 and paragraphs[k - 1].kind == "byline"
            top = any(q.kind == "heading" and q.level == 1 for q in group)
            if has_byline or top or not starts:
                start = k - 1 if prev_byline and (not starts or starts[-1] != k - 1) else k
                if not starts or start > starts[-1]:
                    starts.append(start)
            k = j
            continue
        if p.kind == "byline" and "摄" not in text[p.nstart : p.nstart + 4]:
            prev_body = k > 0 and paragraphs[k - 1].kind == "body"
            next_body = k + 1 < n and paragraphs[k + 1].kind == "body"
            if prev_body and next_body and (not starts or starts[-1] < k):
                starts.append(k)
        k += 1
    if starts and all(q.kind in ("meta", "boilerplate") for q in paragraphs[: starts[0]]):
        starts[0] = 0  # page furniture above the first headline belongs to its article
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    articles: list[Article] = []
    for idx, a in enumerate(starts):
        b = starts[idx + 1] if idx + 1 < len(starts) else n
        paras = paragraphs[a:b]
        if not paras:
            continue
        titles = [text[q.nstart : q.nend] for q in paras if q.kind in ("heading", "title")]
        first_body = next((i for i, q in enumerate(paras) if q.kind == "body"), len(paras))
        title = _headline(
            [text[q.nstart : q.nend] for q in paras[:first_body] if q.kind in ("heading", "title")]
        ) or _headline(titles[:1])
        bylines: list[tuple[str, str]] = []
        sentences: list[Sentence] = []
        for q in paras:
            seg = text[q.nstart : q.nend]
            if q.kind == "byline":
                bylines.extend((r, nm) for r, nm, _, _ in byline_names(seg))
            if q.kind == "boilerplate":
                continue  # share bars, counters, footers: nothing to read
            for s, e in split_sentences(seg, q.nstart):
                sentences.append(Sentence(len(sentences), text[s:e], s, e))
        articles.append(
            Article(
                page=page_name,
                index=len(articles),
                title=title,
                bylines=tuple(bylines),
                nstart=paras[0].nstart,
                nend=paras[-1].nend,
                sentences=tuple(sentences),
            )
        )
    return articles


def ingest_text(name: str, original: str, encoding: str = "utf-8") -> Page:
    """Normalise already-decoded text and split it into articles."""
    text, offsets, paragraphs = normalise(original)
    articles = split_articles(name, text, paragraphs)
    return Page(name, original, text, offsets, encoding, tuple(articles))


def ingest_file(path: str | Path) -> Page:
    """Read, decode, normalise and split one file. Raises :class:`InputError`.

    The page is named after the file; bytes of the name that are not UTF-8 are spelt ``\\xNN``
    so that the name can go into IRIs and output files.
    """
    p = _path(path)
    original, enc = read_file(p)
    return ingest_text(display_name(p), original, enc)


#: Folders nested deeper than this under a corpus folder are skipped with a warning.
MAX_FOLDER_DEPTH = 64


def discover(
    paths: Iterable[str | Path],
    suffixes: tuple[str, ...] = (".txt",),
    skipped: list[tuple[Path, str]] | None = None,
) -> list[Path]:
    """Expand folders into their article files (sorted, no duplicates, no symlink loops).

    Inside a folder only what lies inside it is read: a symbolic link (to a file or a folder)
    whose target is outside the folder is skipped, as are folders nested deeper than
    :data:`MAX_FOLDER_DEPTH` and folders that cannot be listed; each goes into ``skipped``
    as (path, reason). A file named directly is taken as given."""
    found: dict[str, Path] = {}
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for f in sorted(_walk(p, skipped if skipped is not None else [])):
                if f.suffix.lower() in suffixes:
                    found.setdefault(str(f), f)
        else:
            found.setdefault(str(p), p)
    return sorted(found.values(), key=lambda f: (f.name, str(f)))


def _walk(root: Path, skipped: list[tuple[Path, str]]) -> Iterator[Path]:
    """Files under ``root`` whose real path is inside ``root``'s real path; every folder
    walked once (links back into the tree do not loop); iterative, so depth costs no stack."""
    try:
        top = root.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        skipped.append((root, f"cannot open the folder ({_reason(exc)})"))
        return
    seen = {top}
    stack: list[tuple[Path, int]] = [(root, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError as exc:
            skipped.append((folder, f"cannot list the folder ({_reason(exc)})"))
            continue
        for e in entries:
            try:
                if e.is_symlink():
                    try:
                        real = e.resolve(strict=True)
                    except (OSError, RuntimeError):
                        yield e  # a broken link or a loop: read_bytes says which
                        continue
                    if real != top and top not in real.parents:
                        kind = "folder" if real.is_dir() else "file"
                        skipped.append((e, f"symbolic link to a {kind} outside "
                                           f"{printable(str(root))}; only files inside the "
                                           "corpus folder are read"))
                        continue
                else:
                    real = e
                if e.is_dir():
                    key = real if e.is_symlink() else e.resolve()
                    if key in seen:
                        continue
                    seen.add(key)
                    if depth + 1 > MAX_FOLDER_DEPTH:
                        skipped.append((e, f"folder nested more than {MAX_FOLDER_DEPTH} levels "
                                           "deep; not read"))
                        continue
                    stack.append((e, depth + 1))
                else:  # files, FIFOs…: read_bytes reports what cannot be read
                    yield e
            except OSError as exc:
                skipped.append((e, f"cannot read ({_reason(exc)})"))


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or type(exc).__name__
