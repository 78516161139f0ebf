"""Command grammars: templates, unique-prefix keyword matching, and error positions.

A grammar is a list of templates such as ``"show running-config interface <iface>"``; each
word is a keyword (matched by any unique prefix, case-insensitively) or a placeholder:
``<word>`` (any one word), ``<int>`` (digits), ``<iface>`` (an interface name, one or two
words, normalised), ``<rest>`` (one or more words, kept verbatim) and ``<rest?>`` (zero or
more). :meth:`Grammar.match` returns a :class:`Match` with the canonical (expanded) text, or
a :class:`ParseError` saying where the input stops making sense, the way devices put a ``^``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

_TOKEN = re.compile(r"\S+")

Normalizer = Callable[[str], str | None]

_EXACT, _PREFIX, _PLACEHOLDER = 3, 2, 1


@dataclass(frozen=True)
class Token:
    text: str
    start: int


def tokenize(line: str) -> list[Token]:
    return [Token(m.group(0), m.start()) for m in _TOKEN.finditer(line)]


@dataclass(frozen=True)
class Match:
    action: str
    words: tuple[str, ...]
    args: tuple[str, ...]

    @property
    def text(self) -> str:
        return " ".join(self.words)


@dataclass(frozen=True)
class ParseError:
    kind: str  # "invalid" | "incomplete" | "ambiguous"
    position: int  # character offset in the line for "invalid"


@dataclass(frozen=True)
class _Attempt:
    ranks: tuple[int, ...]
    words: tuple[str, ...]
    args: tuple[str, ...]
    keyword_at: tuple[str, ...]  # the keyword matched per input token ("" for placeholders)


@dataclass(frozen=True)
class _Failure:
    token_index: int  # index of the first token that failed, len(tokens) when incomplete
    char_offset: int  # extra characters of that token that did match a keyword
    last_keyword: str = ""  # for incomplete input: the keyword the last word stood for


class Grammar:
    def __init__(self, templates: list[tuple[str, str]], normalize_iface: Normalizer | None = None):
        self._source = templates
        self._templates = [(pattern.split(), action) for pattern, action in templates]
        self._normalize = normalize_iface or (lambda name: name)
        self._negated: Grammar | None = None

    def negated(self) -> Grammar:
        """The grammar for ``no …`` / ``undo …``: a trailing ``<rest>``, and a ``<word>`` that
        ends the template, may be left out (``no hostname``, ``no username bob``,
        ``no banner motd``); interface names and numbers may not (``no vlan`` is incomplete)."""
        if self._negated is None:
            templates: list[tuple[str, str]] = []
            for pattern, action in self._source:
                words = pattern.split()
                templates.append((pattern, action))
                if len(words) > 1 and words[-1] in ("<rest>", "<rest?>"):
                    words = words[:-1]
                    templates.append((" ".join(words), action))
                elif len(words) > 1 and words[-1] == "<word>":
                    templates.append((" ".join(words[:-1]), action))
            self._negated = Grammar(templates, self._normalize)
        return self._negated

    def keywords_at_start(self) -> set[str]:
        return {words[0] for words, _ in self._templates if not words[0].startswith("<")}

    def match(self, line: str) -> Match | ParseError:
        tokens = tokenize(line)
        if not tokens:
            return ParseError("incomplete", 0)
        attempts: list[tuple[_Attempt, str]] = []
        failures: list[_Failure] = []
        for words, action in self._templates:
            result = self._try(words, tokens, line)
            if isinstance(result, _Attempt):
                attempts.append((result, action))
            else:
                failures.append(result)
        if attempts:
            best = max(a.ranks for a, _ in attempts)
            top = [(a, action) for a, action in attempts if a.ranks == best]
            # Different keywords reached only through prefixes: the input is ambiguous.
            if len({a.keyword_at for a, _ in top}) > 1:
                return ParseError("ambiguous", 0)
            attempt, action = top[0]
            return Match(action, attempt.words, attempt.args)
        furthest = max(failures, key=lambda f: (f.token_index, f.char_offset))
        if furthest.token_index >= len(tokens):
            # "s" could be "show" or "ssh": ambiguous rather than incomplete.
            last = tokens[-1].text.lower()
            meant = {f.last_keyword for f in failures if f.token_index >= len(tokens)}
            if len(meant) > 1 and last not in meant:
                return ParseError("ambiguous", 0)
            return ParseError("incomplete", len(line))
        token = tokens[furthest.token_index]
        return ParseError("invalid", token.start + furthest.char_offset)

    def _try(self, words: list[str], tokens: list[Token], line: str) -> _Attempt | _Failure:
        ranks: list[int] = []
        out: list[str] = []
        args: list[str] = []
        keyword_at: list[str] = []
        ti = 0
        for wi, word in enumerate(words):
            if word == "<rest?>" and ti >= len(tokens):
                break
            if ti >= len(tokens):
                return _Failure(len(tokens), 0, keyword_at[-1] if keyword_at else "")
            token = tokens[ti]
            if word in ("<rest>", "<rest?>"):
                rest = line[token.start :].rstrip()
                out.append(rest)
                args.append(rest)
                ranks.extend([_PLACEHOLDER] * (len(tokens) - ti))
                keyword_at.extend([""] * (len(tokens) - ti))
                ti = len(tokens)
                if wi != len(words) - 1:
                    raise ValueError(f"{word} must end a template: {' '.join(words)}")
                break
            if word == "<iface>":
                consumed, name = self._iface(tokens, ti)
                if name is None:
                    return _Failure(ti, 0)
                out.append(name)
                args.append(name)
                ranks.extend([_PLACEHOLDER] * consumed)
                keyword_at.extend([""] * consumed)
                ti += consumed
                continue
            if word in ("<int>", "<word>"):
                if word == "<int>" and not token.text.isdigit():
                    return _Failure(ti, 0)
                out.append(token.text)
                args.append(token.text)
                ranks.append(_PLACEHOLDER)
                keyword_at.append("")
                ti += 1
                continue
            lowered = token.text.lower()
            if lowered == word:
                ranks.append(_EXACT)
            elif word.startswith(lowered):
                ranks.append(_PREFIX)
            else:
                common = 0
                while common < min(len(word), len(lowered)) and word[common] == lowered[common]:
                    common += 1
                return _Failure(ti, common)
            out.append(word)
            keyword_at.append(word)
            ti += 1
        if ti < len(tokens):
            return _Failure(ti, 0)
        return _Attempt(tuple(ranks), tuple(out), tuple(args), tuple(keyword_at))

    def _iface(self, tokens: list[Token], ti: int) -> tuple[int, str | None]:
        name = self._normalize(tokens[ti].text)
        if name is not None:
            return 1, name
        if ti + 1 < len(tokens) and tokens[ti + 1].text[:1].isdigit():
            name = self._normalize(tokens[ti].text + tokens[ti + 1].text)
            if name is not None:
                return 2, name
        return 1, None


def caret_line(prompt: str, position: int) -> str:
    return " " * (len(prompt) + position) + "^"
