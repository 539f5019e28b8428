"""A code hierarchy (region or industry) held in memory, with parent and child lookups.

Both GB/T 2260 and GB/T 4754 are trees whose nodes name their parent. The catalogues keep
their own validation rules and messages; this module only does the bookkeeping they share, so
walking up (ancestors) and down (descendants) behaves the same for both.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Generic, Protocol, TypeVar

from citycarbon.domain.errors import ReferenceDataError

MSG_DUPLICATE = "Code {code} appears more than once in the reference data"
MSG_MISSING_PARENT = "Code {code} names parent {parent_code}, which is not in the reference data"
MSG_NO_PARENT = "Code {code} is at level {level} but names no parent"
MSG_LEVEL_MISMATCH = (
    "Code {code} is at level {level}, but its parent {parent_code} is at level {parent_level}"
)


class Node(Protocol):
    """What the tree needs from a row: its code, its level and its parent's code."""

    @property
    def code(self) -> str:
        """Canonical code of the node."""
        ...

    @property
    def level(self) -> str:
        """Name of the node's level in the hierarchy."""
        ...

    @property
    def parent_code(self) -> str | None:
        """Canonical code of the parent, ``None`` at the top level."""
        ...


NodeT = TypeVar("NodeT", bound=Node)


class CodeTree(Generic[NodeT]):
    """Index nodes by code and by parent, refusing data that would make walks ambiguous.

    Parameters
    ----------
    nodes
        Every node of the hierarchy, in any order.
    levels
        Level names from the top down; a node's parent must sit exactly one level above it,
        which also rules out cycles.

    """

    def __init__(self, nodes: Iterable[NodeT], levels: tuple[str, ...]) -> None:
        self._nodes: dict[str, NodeT] = {}
        self._children: dict[str, list[NodeT]] = defaultdict(list)
        for node in nodes:
            if node.code in self._nodes:
                raise ReferenceDataError(MSG_DUPLICATE, code=node.code)
            self._nodes[node.code] = node
        depth = {level: index for index, level in enumerate(levels)}
        for node in self._nodes.values():
            if node.parent_code is None:
                if depth[node.level] != 0:
                    raise ReferenceDataError(MSG_NO_PARENT, code=node.code, level=node.level)
                continue
            parent = self._nodes.get(node.parent_code)
            if parent is None:
                raise ReferenceDataError(MSG_MISSING_PARENT, code=node.code, parent_code=node.parent_code)
            if depth[parent.level] != depth[node.level] - 1:
                raise ReferenceDataError(
                    MSG_LEVEL_MISMATCH,
                    code=node.code,
                    level=node.level,
                    parent_code=parent.code,
                    parent_level=parent.level,
                )
            self._children[parent.code].append(node)
        for siblings in self._children.values():
            siblings.sort(key=lambda node: node.code)

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[NodeT]:
        return iter(sorted(self._nodes.values(), key=lambda node: node.code))

    def get(self, code: str) -> NodeT | None:
        """Node with canonical ``code``, or ``None``."""
        return self._nodes.get(code)

    def parent(self, node: NodeT) -> NodeT | None:
        """Parent of ``node``; ``None`` at the top level."""
        return None if node.parent_code is None else self._nodes[node.parent_code]

    def ancestors(self, node: NodeT) -> tuple[NodeT, ...]:
        """Parent, grandparent, … up to the top level (nearest first)."""
        chain: list[NodeT] = []
        current = self.parent(node)
        while current is not None:
            chain.append(current)
            current = self.parent(current)
        return tuple(chain)

    def children(self, node: NodeT) -> tuple[NodeT, ...]:
        """Direct children of ``node``, ordered by code."""
        return tuple(self._children.get(node.code, ()))

    def descendants(self, node: NodeT) -> tuple[NodeT, ...]:
        """Every node below ``node``, depth first in code order (a child precedes its own)."""
        found: list[NodeT] = []
        for child in self.children(node):
            found.append(child)
            found.extend(self.descendants(child))
        return tuple(found)
