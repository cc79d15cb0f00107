"""What a SPARQL query may do here: no federation (``SERVICE``), no update, and a query worker
that cannot open a network socket at all.

Two layers, because either alone has failed before:

* :func:`scan_query` — a linear tokenizer over the SPARQL 1.1 terminals as Oxigraph (the engine
  behind the store) reads them: IRIREF with ``\\u`` escapes, the four string forms with their
  escapes, comments up to CR or LF, variables, prefixed names and blank node labels. Only the
  *insides* of strings, IRIs and comments, and the plain ASCII part of variable names, local
  names and blank node labels, are skipped; ``SERVICE`` anywhere else, in any case, even glued
  to other letters (Oxigraph matches keywords without a word boundary: ``SERVICESILENT<…>`` and
  ``SERVICE:x`` are federated calls), refuses the query. It is a superset check by design:
  it may refuse a query Oxigraph would not federate, never the other way round. No regex it
  uses can backtrack more than one step per character, and each character is read a bounded
  number of times, so 64 KB of hostile text costs a few milliseconds.
* :func:`deny_network` — a seccomp filter for the query workers: ``socket()`` fails with
  ``EPERM`` for every address family but ``AF_UNIX``, ``io_uring_setup`` too (io_uring can open
  sockets without the ``socket`` system call), and any system call from another ABI (x32, i386)
  fails. Oxigraph then cannot reach another host even if a ``SERVICE`` slipped through.

rdflib's SPARQL parser is *not* used on untrusted text: it is super-linear (a 4 KB RDF
collection ``( 1 1 1 … )`` takes 70 s, 16 KB of ``1+1+…`` 6 s) and recursive (1,000 ``UNION``
branches raise ``RecursionError``), so it can neither run before each query nor bound it.
"""

from __future__ import annotations

import ctypes
import platform
import re
import struct
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: Deepest nesting of brackets ``( [ {`` plus runs of prefix operators ``! ^ - +`` accepted.
#: Oxigraph's parser recurses on them: 3,000 nested ``{`` or 10,000 ``!`` overflow its stack
#: (the process dies of SIGSEGV), and 300 nested ``[ ?p`` take over 20 s to parse (60: 0.26 s).
MAX_NESTING = 64

#: Keywords that start a SPARQL Update request.
UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD",
                   "WITH")

_BASE = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
         "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
         "\U00010000-\U000effff")
_U = _BASE + "_"
_CHARS = _U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"

_WS = frozenset(" \t\r\n")
_NAME_START = re.compile(f"[{_U}0-9:]")
_NAME_RUN = re.compile(f"[{_CHARS}.]*")
_VARNAME = re.compile(f"[{_U}0-9][{_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_LOCAL = re.compile(f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}.:]|{_PLX})*")
_BNODE = re.compile(f"[{_U}0-9][{_CHARS}.]*")
_IRIREF = re.compile(r'<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>')
_EOL = re.compile(r"[\r\n]")
_ESCAPE = re.compile(r"""\\(?:[tbnrf"'\\]|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8})""")
_SHORT_BODY = {"'": re.compile(r"[^'\\\r\n]*"), '"': re.compile(r'[^"\\\r\n]*')}
_LONG_BODY = {"'": re.compile(r"[^'\\]*"), '"': re.compile(r'[^"\\]*')}
_QUOTES = {"'": re.compile("'{1,3}"), '"': re.compile('"{1,3}')}
_SERVICE = re.compile("service", re.IGNORECASE | re.ASCII)
#: What may precede ``SERVICE`` inside a variable, local name or blank node label and still
#: be read as part of that name by any SPARQL parser (the rest of a name is checked).
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_\-:]*")


class QueryRefused(Exception):
    """A query is refused before it runs: ``status`` is the HTTP status (403 or 400)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class QueryScan:
    """What :func:`scan_query` found: the bare keywords (upper-cased, in order), whether a
    ``SERVICE`` keyword may be in the query, and a lexical error (the engine refuses it too)."""

    keywords: tuple[str, ...]
    service: bool
    error: str | None = None
    nesting: int = 0  # deepest brackets + prefix-operator run seen

    @property
    def has_dataset(self) -> bool:
        """Whether the query names its dataset (``FROM`` or ``FROM NAMED``)."""
        return any(k.startswith("FROM") for k in self.keywords)

    @property
    def is_update(self) -> bool:
        first = next((k for k in self.keywords if k not in ("PREFIX", "BASE")), "")
        return first.startswith(UPDATE_KEYWORDS)


class _Lexer:
    """One pass over a query text; see :func:`scan_query`."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.words: list[str] = []
        self.service = False
        self.error: str | None = None
        self.depth = 0  # open brackets
        self.ops = 0  # prefix operators in a row
        self.nesting = 0

    def run(self) -> QueryScan:
        text, n = self.text, len(self.text)
        while self.pos < n and self.error is None:
            c = text[self.pos]
            if c in _WS:
                self.pos += 1
                continue
            if c == "#":
                m = _EOL.search(text, self.pos)
                self.pos = m.start() if m else n
                continue
            self._nest(c)
            if c == "<":
                m = _IRIREF.match(text, self.pos)
                self.pos = m.end() if m else self.pos + 1
            elif c in "'\"":
                self._string(c)
            elif c in "?$":
                self._name(_VARNAME, self.pos + 1)
            elif text.startswith("_:", self.pos):
                self._name(_BNODE, self.pos + 2)
            elif _NAME_START.match(c):
                self._word()
            else:
                self.pos += 1
        return QueryScan(tuple(self.words), self.service, self.error, self.nesting)

    def _nest(self, c: str) -> None:
        """Count the nesting that the token starting with ``c`` opens or closes."""
        if c in "([{":
            self.depth += 1
        elif c in ")]}":
            self.depth = max(0, self.depth - 1)
        self.ops = self.ops + 1 if c in "!^-+" else 0
        self.nesting = max(self.nesting, self.depth + self.ops)

    def _fail(self, what: str, start: int) -> None:
        line = self.text.count("\n", 0, start) + 1
        col = start - (self.text.rfind("\n", 0, start) + 1) + 1
        self.error = f"{what} at line {line}, column {col}"

    def _string(self, q: str) -> None:
        start = self.pos
        long = self.text.startswith(q * 3, start)
        body = (_LONG_BODY if long else _SHORT_BODY)[q]
        i = start + (3 if long else 1)
        n = len(self.text)
        while True:
            i = body.match(self.text, i).end()
            if i >= n:
                return self._fail("unterminated string", start)
            c = self.text[i]
            if c == "\\":
                m = _ESCAPE.match(self.text, i)
                if m is None:
                    return self._fail("invalid escape in a string", i)
                i = m.end()
            elif c != q:  # CR or LF in a one-line string
                return self._fail("line break in a string", start)
            elif not long:
                self.pos = i + 1
                return None
            else:
                run = _QUOTES[q].match(self.text, i).end() - i
                if run >= 3:
                    self.pos = i + 3
                    return None
                i += run

    def _name(self, pattern: re.Pattern[str], at: int) -> None:
        """A variable, local name or blank node label at ``at``: ``SERVICE`` after its plain
        ASCII part counts (another parser may end the name earlier and read a keyword)."""
        m = pattern.match(self.text, at)
        if m is None:
            self.pos = at
            return
        name = m.group()
        while pattern is _LOCAL and name.endswith(".") and not name.endswith("\\."):
            name = name[:-1]  # a local name never ends with an unescaped "."
        plain = _PLAIN_NAME.match(name).end()
        if _SERVICE.search(name, plain):
            self.service = True
        self.pos = at + len(name)

    def _word(self) -> None:
        """A keyword, number or prefixed name (``SERVICE`` in the prefix counts)."""
        start = self.pos
        end = _NAME_RUN.match(self.text, start).end()
        run = self.text[start:end]
        if _SERVICE.search(run):
            self.service = True
        if end < len(self.text) and self.text[end] == ":":
            self._name(_LOCAL, end + 1)
            return
        if run[:1].isascii() and run[:1].isalpha():
            self.words.append(run.upper() if run.isascii() else run)
        self.pos = max(end, start + 1)


def scan_query(text: str) -> QueryScan:
    """Tokenize a SPARQL query once (linear time) and report its keywords, whether it may
    contain ``SERVICE`` and whether a string in it is malformed.

    Examples
    --------
    >>> scan_query('SELECT * { ?service ex:SERVICE "SERVICE" } # SERVICE').service
    False
    >>> scan_query("SELECT * { SERVICESILENT<http://x/> {} }").service
    True
    >>> scan_query("SELECT * { BIND('''x\\\\'''' AS ?v) SERVICE <http://x/> {} }").service
    True
    """
    return _Lexer(text).run()


def keywords(sparql: str) -> list[str]:
    """The bare keywords of a SPARQL text, upper-cased (strings, IRIs, comments, variables and
    prefixed names are skipped).

    Examples
    --------
    >>> keywords('PREFIX s: <http://x/SERVICE> SELECT * { ?service s:SERVICE "SERVICE" }')
    ['PREFIX', 'SELECT']
    """
    return list(scan_query(sparql).keywords)


def check_query(text: str) -> QueryScan:
    """Scan ``text``; :class:`QueryRefused` for SPARQL Update (403), ``SERVICE`` (403),
    malformed strings (400) and nesting deeper than :data:`MAX_NESTING` (400)."""
    scan = scan_query(text)
    if scan.is_update:
        raise QueryRefused(403, "SPARQL Update is refused: the graph is read-only here")
    if scan.service:
        raise QueryRefused(403, "federated queries (SERVICE) are refused here")
    if scan.error:
        raise QueryRefused(400, f"malformed SPARQL query: {scan.error}")
    if scan.nesting > MAX_NESTING:
        raise QueryRefused(400, f"query nested too deeply: more than {MAX_NESTING} levels of "
                                "brackets or prefix operators")
    return scan


def refusal(sparql: str) -> str | None:
    """Why a query text is refused (see :func:`check_query`), or ``None``."""
    try:
        check_query(sparql)
    except QueryRefused as exc:
        return exc.message
    return None


def dataset_options(
    scan: QueryScan, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = ()
) -> dict[str, Any]:
    """Keyword arguments of ``pyoxigraph.Store.query`` for a query's dataset.

    The protocol's ``default-graph-uri`` / ``named-graph-uri`` win over the query (SPARQL 1.1
    Protocol, 2.1.4); without ``default-graph-uri`` the default graph stays the union of all
    graphs. Else a query with ``FROM`` / ``FROM NAMED`` gets exactly that dataset (a graph that
    does not exist is empty). Else the default graph is the union of all graphs. ``ValueError``
    for a graph IRI that is not an IRI."""
    import pyoxigraph as ox

    if default_graphs or named_graphs:
        out: dict[str, Any] = {}
        if default_graphs:
            out["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            out["use_default_graph_as_union"] = True
        if named_graphs:
            out["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        return out
    if scan.has_dataset:
        return {}
    return {"use_default_graph_as_union": True}


# --- no network in this process ---------------------------------------------------------------

_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_EPERM = 0x00050000 | 1  # SECCOMP_RET_ERRNO | EPERM
_AF_UNIX = 1
_X32_BIT = 0x40000000


@dataclass(frozen=True)
class _Arch:
    audit: int  # AUDIT_ARCH_* in seccomp_data.arch
    socket: int
    io_uring_setup: int
    seccomp: int
    x32: bool  # syscall numbers with bit 30 set belong to the x32 ABI


_ARCHES = {
    "x86_64": _Arch(0xC000003E, 41, 425, 317, True),
    "amd64": _Arch(0xC000003E, 41, 425, 317, True),
    "aarch64": _Arch(0xC00000B7, 198, 425, 277, False),
    "arm64": _Arch(0xC00000B7, 198, 425, 277, False),
}


def _bpf(arch: _Arch) -> list[tuple[int, int, int, int]]:
    """The filter program: (code, jt, jf, k) instructions over ``struct seccomp_data``
    (nr at offset 0, arch at 4, args[0] at 16: its low 32 bits on little-endian machines)."""
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, …|JGE|K, BPF_RET|K
    prog = [(ld, 0, 0, 4), (jeq, 1, 0, arch.audit), (ret, 0, 0, _RET_EPERM), (ld, 0, 0, 0)]
    if arch.x32:
        prog += [(jge, 0, 1, _X32_BIT), (ret, 0, 0, _RET_EPERM)]
    prog += [
        (jeq, 0, 1, arch.io_uring_setup), (ret, 0, 0, _RET_EPERM),
        (jeq, 1, 0, arch.socket), (ret, 0, 0, _RET_ALLOW),
        (ld, 0, 0, 16), (jeq, 0, 1, _AF_UNIX), (ret, 0, 0, _RET_ALLOW), (ret, 0, 0, _RET_EPERM),
    ]
    return prog


def deny_network() -> str | None:
    """Forbid this process, its threads and its children to open network sockets (only
    ``AF_UNIX`` sockets can be created; sockets already open keep working). Irreversible.

    Returns ``None`` once the filter is in place, else why it could not be installed (not
    Linux, another architecture, seccomp unavailable)."""
    if not sys.platform.startswith("linux"):
        return f"no seccomp on {sys.platform}"
    arch = _ARCHES.get(platform.machine().lower())
    if arch is None:
        return f"no seccomp filter for the {platform.machine()} architecture"
    if sys.byteorder != "little":
        return "no seccomp filter for big-endian machines"
    prog = _bpf(arch)
    raw = b"".join(struct.pack("=HBBI", *ins) for ins in prog)
    buf = ctypes.create_string_buffer(raw, len(raw))

    class _Fprog(ctypes.Structure):
        _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]

    fprog = _Fprog(len(prog), ctypes.cast(buf, ctypes.c_void_p))
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError as exc:  # pragma: no cover - no C library to call
        return f"cannot load the C library: {exc}"
    ulong = ctypes.c_ulong
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ulong(1), ulong(0), ulong(0), ulong(0)) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: errno {ctypes.get_errno()}"
    # every thread at once (TSYNC); else the calling thread and those it starts later
    if libc.syscall(ctypes.c_long(arch.seccomp), ulong(_SECCOMP_SET_MODE_FILTER),
                    ulong(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(fprog)) == 0:
        return None
    if libc.prctl(_PR_SET_SECCOMP, ulong(_SECCOMP_MODE_FILTER), ctypes.byref(fprog),
                  ulong(0), ulong(0)) != 0:
        return f"seccomp filter refused: errno {ctypes.get_errno()}"
    return None
