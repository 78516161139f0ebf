"""Fast YAML loading with positions: PyYAML's C composer, plain values built from its nodes.

Ansible reads inventories with PyYAML (YAML 1.1), so the check reads them the same way and sees
what Ansible sees (``22:00`` unquoted is the number 1320, ``0123`` is 83). Nodes keep their
``start_mark`` (0-based line and column), which every :class:`~opsbook.register.problems.Problem`
reports 1-based. Values are built here rather than by PyYAML's constructor so that a bad date, an
``!vault`` tag or a duplicate key never aborts loading: dates stay text, unknown tags become text,
duplicates are reported.

Loading is bounded (:data:`LIMITS`): a file larger than ``max_bytes`` is not parsed, and a tree
nested deeper than ``max_depth`` or whose aliases would expand to more than ``max_alias_nodes``
extra nodes (the "billion laughs" alias bomb), or that refers to itself through an alias, is
refused by :func:`compose` in milliseconds, counting nodes rather than expanding them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

import yaml
from yaml.cyaml import CParser  # type: ignore[attr-defined]
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

__all__ = [
    "LIMITS",
    "Limits",
    "MappingNode",
    "Mark",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "YamlBoundsError",
    "compose",
    "find",
    "find_key",
    "is_sexagesimal",
    "key_text",
    "mapping_items",
    "mark",
    "scalar_value",
    "to_python",
]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_MERGE = "tag:yaml.org,2002:merge"
VAULT_TAG = "!vault"
_TRUE = frozenset({"yes", "true", "on", "y"})
_BASE60 = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$")


class _Loader(CParser, Resolver):
    """libyaml's parser + PyYAML's YAML 1.1 resolver, with resolved scalar tags memoised.

    Registers repeat the same keys and many values thousands of times; the pure-Python
    resolver was a quarter of the load time before this cache.
    """

    _cache: ClassVar[dict[tuple[str, tuple[bool, bool]], str]] = {}

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Resolver.__init__(self)

    # No path resolvers are registered: the base class's per-node bookkeeping is skipped.
    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        return None

    def ascend_resolver(self) -> None:
        return None

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:
            return Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call,no-any-return]
        key = (value, implicit)
        tag = self._cache.get(key)
        if tag is None:
            tag = Resolver.resolve(self, kind, value, implicit)  # type: ignore[no-untyped-call]
            if len(self._cache) < 200_000:
                self._cache[key] = tag
        return tag


@dataclass(frozen=True, slots=True)
class Limits:
    """How much YAML one register file may ask for."""

    #: bytes per file (a 10,000-asset hosts.yml is about 1 MB)
    max_bytes: int = 4 * 1024 * 1024
    #: nesting of mappings and sequences (an inventory with ten levels of groups needs ~25)
    max_depth: int = 100
    #: nodes that aliases add beyond the nodes written in the file
    max_alias_nodes: int = 10_000


LIMITS = Limits()


class YamlBoundsError(yaml.MarkedYAMLError):
    """A YAML document over :data:`LIMITS` (or with a recursive alias): refused, not built."""

    def __init__(self, node: Node, problem: str, fix: str) -> None:
        super().__init__(problem=problem, problem_mark=node.start_mark)
        self.fix = fix


def compose(text: str, limits: Limits = LIMITS) -> Node | None:
    """The node tree of one YAML document; raises :class:`yaml.YAMLError` with marks
    (:class:`YamlBoundsError` when the tree is over ``limits``)."""
    loader = _Loader(text)
    try:
        node: Node | None = loader.get_single_node()
    finally:
        loader.dispose()
    if node is not None:
        if "&" in text:  # an alias needs an anchor: only then can nodes be shared or recursive
            check_bounds(node, limits)
        else:
            check_depth(node, limits)
    return node


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        items: list[Node] = node.value
        return items
    if isinstance(node, MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _too_deep(node: Node, limits: Limits) -> YamlBoundsError:
    return YamlBoundsError(
        node,
        f"the YAML nests deeper than {limits.max_depth} levels",
        "flatten the data: a register needs only a few levels of groups and variables",
    )


def check_depth(root: Node, limits: Limits = LIMITS) -> None:
    """Raise :class:`YamlBoundsError` when a tree without aliases (no node shared, so a plain
    tree) nests deeper than ``limits.max_depth``; visits collections only."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > limits.max_depth:
            raise _too_deep(node, limits)
        for child in _children(node):
            if isinstance(child, MappingNode | SequenceNode):
                stack.append((child, depth + 1))


def check_bounds(root: Node, limits: Limits = LIMITS) -> None:
    """Raise :class:`YamlBoundsError` when ``root`` nests deeper than ``limits.max_depth``,
    refers to itself through an alias, or would expand (aliases followed) to more than
    ``limits.max_alias_nodes`` nodes beyond those written. Work is linear in the nodes written:
    each distinct node is visited once and expansion sizes are added up, never built."""
    size: dict[int, int] = {}  # distinct collection → nodes it expands to (itself included)
    height: dict[int, int] = {}
    open_: set[int] = set()
    written = 1
    first_big: Node | None = None  # the innermost collection that alone expands past the limit
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        key = id(node)
        children = _children(node)
        if closing:
            open_.discard(key)
            size[key] = 1 + sum(size.get(id(c), 1) for c in children)
            height[key] = 1 + max((height.get(id(c), 0) for c in children), default=0)
            if first_big is None and size[key] > limits.max_alias_nodes:
                first_big = node
            if height[key] > limits.max_depth:
                raise _too_deep(node, limits)
            continue
        if key in size or not isinstance(node, MappingNode | SequenceNode):
            continue
        if key in open_:
            raise YamlBoundsError(
                node,
                "an alias refers to the collection that contains it (a recursive alias)",
                "replace the alias (*name) with the data it should hold",
            )
        open_.add(key)
        written += len(children)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(children) if id(child) not in size)
    expanded = size.get(id(root), 1)
    if expanded - written > limits.max_alias_nodes:
        raise YamlBoundsError(
            first_big or root,
            f"its aliases (*name) expand to {expanded:,} nodes from {written:,} written "
            f"(more than {limits.max_alias_nodes:,} extra): an alias bomb",
            "write the data out instead of nesting aliases of aliases",
        )


def _int(text: str) -> int:
    value = text.replace("_", "")
    sign = -1 if value.startswith("-") else 1
    value = value.lstrip("+-")
    if value == "0":
        return 0
    if value.startswith("0b"):
        return sign * int(value[2:], 2)
    if value.startswith("0x"):
        return sign * int(value[2:], 16)
    if value.startswith("0o"):
        return sign * int(value[2:], 8)
    if value.startswith("0"):
        return sign * int(value, 8)
    if ":" in value:
        total = 0
        for part in value.split(":"):
            total = total * 60 + int(part)
        return sign * total
    return sign * int(value)


def _float(text: str) -> float:
    value = text.replace("_", "").lower()
    if value in (".inf", "+.inf"):
        return float("inf")
    if value == "-.inf":
        return float("-inf")
    if value == ".nan":
        return float("nan")
    if ":" in value:
        sign = -1.0 if value.startswith("-") else 1.0
        total = 0.0
        for part in value.lstrip("+-").split(":"):
            total = total * 60 + float(part)
        return sign * total
    return float(value)


def scalar_value(node: ScalarNode) -> Any:
    """A scalar as Ansible's YAML loader would give it, except dates and unknown tags stay text."""
    tag = node.tag
    text: str = node.value
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() in _TRUE
    if tag == _INT:
        try:
            return _int(text)
        except ValueError:
            return text
    if tag == _FLOAT:
        try:
            return _float(text)
        except ValueError:
            return text
    return text


def is_sexagesimal(node: ScalarNode) -> bool:
    """``22:00`` unquoted: YAML 1.1 reads it as a base-60 number."""
    return node.tag == _INT and bool(_BASE60.match(node.value))


def mapping_items(node: MappingNode) -> list[tuple[Node, Node]]:
    """Key/value node pairs, with ``<<`` merge keys expanded in place (merged keys first)."""
    pairs: list[tuple[Node, Node]] = node.value
    if not any(key.tag == _MERGE for key, _ in pairs):
        return pairs
    expanded: list[tuple[Node, Node]] = []
    for key, value in pairs:
        if key.tag == _MERGE:
            sources = value.value if isinstance(value, SequenceNode) else [value]
            for source in sources:
                if isinstance(source, MappingNode):
                    expanded.extend(mapping_items(source))
            continue
        expanded.append((key, value))
    return expanded


def key_text(node: Node) -> str:
    """A mapping key as text (Ansible variable and host names are strings)."""
    if isinstance(node, ScalarNode):
        return str(node.value)
    return "<complex key>"


def to_python(node: Node, *, vault: bool = False) -> Any:
    """Plain Python data from a node tree (mappings: last duplicate wins, as in Ansible).

    ``vault``: a ``!vault`` value becomes ``{"__ansible_vault": text}``, as ansible-inventory
    prints it (else its text)."""
    if isinstance(node, ScalarNode):
        if vault and node.tag == VAULT_TAG:
            return {"__ansible_vault": node.value}
        return scalar_value(node)
    if isinstance(node, SequenceNode):
        return [to_python(item, vault=vault) for item in node.value]
    if isinstance(node, MappingNode):
        return {key_text(k): to_python(v, vault=vault) for k, v in mapping_items(node)}
    return None  # pragma: no cover - the three node kinds are exhaustive


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based position."""

    line: int
    column: int


def mark(node: Node) -> Mark:
    return Mark(node.start_mark.line + 1, node.start_mark.column + 1)


def find(node: Node, path: tuple[str | int, ...]) -> Node:
    """The deepest node along ``path`` (mapping keys / sequence indexes) that exists."""
    current = node
    for step in path:
        if isinstance(current, MappingNode) and isinstance(step, str):
            nxt = next((v for k, v in mapping_items(current) if key_text(k) == step), None)
        elif isinstance(current, SequenceNode) and isinstance(step, int) and step < len(current.value):
            nxt = current.value[step]
        else:
            nxt = None
        if nxt is None:
            return current
        current = nxt
    return current


def find_key(node: Node, path: tuple[str | int, ...]) -> Node:
    """Like :func:`find`, but a final mapping key's *key* node (for unknown keys)."""
    if not path or not isinstance(path[-1], str):
        return find(node, path)
    parent = find(node, path[:-1])
    if isinstance(parent, MappingNode):
        for k, _ in mapping_items(parent):
            if key_text(k) == path[-1]:
                return k
    return parent
