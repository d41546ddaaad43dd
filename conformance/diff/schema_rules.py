"""Walk two normalized schemas of one site in step and report every catalogued change.

The walk goes through properties, array items, `additionalProperties` and `oneOf`/`anyOf` alternatives; `keywords`
says what changed in each schema's own keywords, and the site decides the id: a suffix such as `max-length-set` is
tried after the site's prefixes (`request-parameter`, `request-body`, `request-property`, `response-header` ...) and
the first id the catalogue has is reported. A request property that is `readOnly` (a response one `writeOnly`) does
not travel in that direction: its changes use oasdiff's read-only/write-only ids, all INFO but a few.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from conformance.diff.catalog import RULES
from conformance.diff.keywords import (
    Change,
    Direction,
    keyword_changes,
    nullable_change,
    type_change,
    type_text,
    values_text,
)
from conformance.diff.lifecycle import Lifecycle, Policy, changes, event_ids
from conformance.diff.normalize import CYCLE, Schema, alternatives, signature
from conformance.diff.overlap import disjoint

__all__ = ["Direction", "Emit", "Site", "compare_schemas"]

MAX_DEPTH = 64


class Emit(Protocol):
    """Where findings go: the rule id, the sentence, and the site it was seen at ("response 200 application/json")."""

    def __call__(self, rule_id: str, message: str, site: str = "") -> None: ...


@dataclass(frozen=True)
class Site:
    """Where a schema sits: direction, the place for messages, and the parameter or header it belongs to."""

    direction: Direction
    where: str = ""
    parameter: str | None = None
    header: str | None = None


def compare_schemas(old: Schema, new: Schema, site: Site, emit: Emit, policy: Policy | None = None) -> None:
    """Report through `emit` every catalogued change from `old` to `new` at `site`; `policy` judges sunset dates."""
    _Comparison(site, emit, policy).compare(old, new, (), 0)


def _render(path: tuple[str, ...]) -> str:
    text = ""
    for segment in path:
        if segment == "[]":
            text += "[]"
        elif segment.startswith("|"):
            text += f"({segment[1:]})"
        else:
            text += f".{segment}" if text else segment
    return text


def _is_root(path: tuple[str, ...]) -> bool:
    return all(segment.startswith("|") for segment in path)


def _describe(schema: Schema) -> str:
    properties = sorted(schema.get("properties") or {})
    if properties:
        shown = ", ".join(properties[:4]) + (", ..." if len(properties) > 4 else "")
        return f"object with {shown}"
    if "enum" in schema:
        return f"{schema.get('type', 'value')} in {values_text(schema['enum'])}"
    if "type" in schema:
        return type_text(schema["type"], schema.get("format"))
    return "schema"


def _is_object(schema: Schema) -> bool:
    return schema.get("type") == "object" and CYCLE not in schema


def _similarity(first: Schema, second: Schema) -> float:
    """How alike two alternatives are, 0 to 1, to pair a changed branch with its new version."""
    types = {signature(first.get("type")), signature(second.get("type"))} - {"null"}
    if len(types) > 1 and types != {'"integer"', '"number"'}:
        return 0.0
    for key in ("properties", "enum"):
        left = {signature(v) if key == "enum" else v for v in first.get(key) or []}
        right = {signature(v) if key == "enum" else v for v in second.get(key) or []}
        if left or right:
            return len(left & right) / len(left | right)
    return 0.6


class _Comparison:
    """One schema comparison: the site, the output, hidden (read-only/write-only) paths, a signature cache."""

    def __init__(self, site: Site, emit: Emit, policy: Policy | None) -> None:
        self.site = site
        self.emit = emit
        self.policy = policy
        self.direction = site.direction
        self.hidden_flag = "readOnly" if self.direction is Direction.REQUEST else "writeOnly"
        self._hidden: set[tuple[str, ...]] = set()
        self._signatures: dict[int, tuple[Schema, str]] = {}

    # -- naming ---------------------------------------------------------------------------------------------
    def _sig(self, schema: Schema) -> str:
        cached = self._signatures.get(id(schema))
        if cached is None:
            cached = (schema, signature(schema))
            self._signatures[id(schema)] = cached
        return cached[1]

    def _is_hidden(self, path: tuple[str, ...]) -> bool:
        return any(path[:end] in self._hidden for end in range(1, len(path) + 1))

    def _prefixes(self, path: tuple[str, ...]) -> tuple[str, ...]:
        direction = self.direction.value
        if self._is_hidden(path):
            return (f"{direction}-{'read' if self.direction is Direction.REQUEST else 'write'}-only-property",)
        if self.site.header is not None:
            return ("response-header",)
        if self.site.parameter is not None:
            if _is_root(path):
                return ("request-parameter", "request-property")
            return ("request-parameter-property", "request-parameter", "request-property")
        return (f"{direction}-body", f"{direction}-property") if _is_root(path) else (f"{direction}-property",)

    def _subject(self, path: tuple[str, ...]) -> str:
        dotted = _render(path)
        owner = self.site.parameter or (f"the header {self.site.header}" if self.site.header is not None else None)
        if owner is not None:
            return f"'{dotted}' of {owner}" if dotted else owner
        if _is_root(path):
            return f"the {self.direction.value} body{' ' + dotted if dotted else ''}"
        return f"{self.direction.value} property '{dotted}'"

    def _report(self, path: tuple[str, ...], change: Change) -> None:
        """Emit the first catalogued id among the site's prefixes and the change's suffixes."""
        for rule_id in (f"{prefix}-{suffix}" for prefix in self._prefixes(path) for suffix in change.suffixes):
            if rule_id in RULES:
                self._report_as(path, rule_id, change.text)
                return

    def _report_as(self, path: tuple[str, ...], rule_id: str, text: str) -> None:
        """Emit `rule_id` if the catalogue has it: a change with no rule at this site (a read-only request
        property added, say) is silent by design; test_diff_reachability catches an id that never fires."""
        if rule_id in RULES:
            self.emit(rule_id, f"{self._subject(path)} {text}", self.site.where)

    # -- the walk -------------------------------------------------------------------------------------------
    def compare(self, old: Schema, new: Schema, path: tuple[str, ...], depth: int) -> None:
        """Compare two schemas at `path`; identical and recursive parts are skipped."""
        if old is new or depth > MAX_DEPTH or self._sig(old) == self._sig(new):
            return
        if CYCLE in old or CYCLE in new:
            return
        if self._wrapped_in_one_of(old, new, path):
            return
        nullable = nullable_change(old, new)
        if nullable is not None:
            self._report(path, nullable)
        old_kind, old_branches = alternatives(old)
        new_kind, new_branches = alternatives(new)
        if old_kind is not None or new_kind is not None:
            self._alternatives(old_branches, new_branches, str(new_kind or old_kind), path, depth)
            return
        change, related = type_change(old, new, self.direction)
        if change is not None:
            self._report(path, change)
        if not related:
            return
        for keyword_change in keyword_changes(old, new):
            self._report(path, keyword_change)
        self._properties(old, new, path, depth)
        if "items" in old or "items" in new:
            self.compare(old.get("items") or {}, new.get("items") or {}, (*path, "[]"), depth + 1)
        old_extra, new_extra = old.get("additionalProperties"), new.get("additionalProperties")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.compare(old_extra, new_extra, (*path, "*"), depth + 1)

    def _wrapped_in_one_of(self, old: Schema, new: Schema, path: tuple[str, ...]) -> bool:
        """An object body that became a oneOf of objects: one finding, unless old payloads provably still match once."""
        if path or self.site.parameter is not None or self.site.header is not None or alternatives(old)[0]:
            return False
        kind, branches = alternatives(new)
        if kind != "oneOf" or not _is_object(old) or not all(_is_object(branch) for branch in branches):
            return False
        kept = [branch for branch in branches if self._sig(branch) == self._sig(old)]
        others = [branch for branch in branches if self._sig(branch) != self._sig(old)]
        if self.direction is Direction.REQUEST and kept and all(disjoint(old, branch) for branch in others):
            return False
        shapes = ", ".join(f"'{_describe(branch)}'" for branch in branches)
        self._report_as(path, f"{self.direction.value}-body-wrapped-in-one-of", f"was wrapped in a oneOf of {shapes}")
        return True

    def _properties(self, old: Schema, new: Schema, path: tuple[str, ...], depth: int) -> None:
        old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
        old_all = {**{name: {} for name in old_required}, **(old.get("properties") or {})}
        new_all = {**{name: {} for name in new_required}, **(new.get("properties") or {})}
        for name in sorted(old_all.keys() | new_all.keys()):
            where = (*path, name)
            if name not in new_all:
                self._existence(where, old_all[name], name in old_required, added=False)
                continue
            if name not in old_all:
                self._existence(where, new_all[name], name in new_required, added=True)
                continue
            before, after = old_all[name], new_all[name]
            self._mutability(before, after, name in new_required, where)
            was_hidden, now_hidden = self._hides(where, before), self._hides(where, after)
            if was_hidden != now_hidden:
                continue
            if was_hidden:
                self._hidden.add(where)
            if (name in old_required) != (name in new_required):
                self._requiredness(where, after, now=name in new_required)
            if not was_hidden:
                self._lifecycle(before, after, where)
            self.compare(before, after, where, depth + 1)

    def _hides(self, where: tuple[str, ...], schema: Schema) -> bool:
        """Whether the property at `where` does not travel in this direction (itself or an enclosing property)."""
        return bool(schema.get(self.hidden_flag)) or self._is_hidden(where[:-1])

    def _existence(self, where: tuple[str, ...], schema: Schema, required: bool, *, added: bool) -> None:
        kind = "required" if required else "optional"
        if self._hides(where, schema):
            if self.direction is Direction.RESPONSE:
                self._report_as(
                    where,
                    f"response-{kind}-write-only-property-{'added' if added else 'removed'}",
                    f"was {'added' if added else 'removed'}",
                )
            return
        if self.direction is Direction.REQUEST:
            with_default = "-with-default" if required and "default" in schema else ""
            rule_id = f"new-{kind}-request-property{with_default}" if added else "request-property-removed"
        else:
            rule_id = f"response-{kind}-property-{'added' if added else 'removed'}"
        self._report_as(where, rule_id, f"was added as {kind}" if added else "was removed")

    def _requiredness(self, where: tuple[str, ...], schema: Schema, *, now: bool) -> None:
        state = "required" if now else "optional"
        if self._is_hidden(where):
            if self.direction is Direction.RESPONSE:
                self._report_as(where, f"response-write-only-property-became-{state}", f"became {state}")
            return
        with_default = "-with-default" if now and "default" in schema and self.direction is Direction.REQUEST else ""
        self._report_as(where, f"{self.direction.value}-property-became-{state}{with_default}", f"became {state}")

    def _mutability(self, before: Schema, after: Schema, required: bool, where: tuple[str, ...]) -> None:
        kind = "required" if required else "optional"
        for flag, name in (("writeOnly", "write-only"), ("readOnly", "read-only")):
            was, now = bool(before.get(flag)), bool(after.get(flag))
            if was != now:
                change = f"became-{'' if now else 'not-'}{name}"
                text = f"became {name}" if now else f"is no longer {name}"
                self._report_as(where, f"{self.direction.value}-{kind}-property-{change}", text)

    def _lifecycle(self, before: Schema, after: Schema, where: tuple[str, ...]) -> None:
        if self.policy is None or self.site.parameter is not None or self.site.header is not None:
            return
        ids = event_ids(f"{self.direction.value}-property")
        for event, text in changes(Lifecycle.of(before), Lifecycle.of(after), self.policy):
            if event in ids:
                self._report_as(where, ids[event], text)

    def _alternatives(self, old: list[Schema], new: list[Schema], kind: str, path: tuple[str, ...], depth: int) -> None:
        """Compare branch sets: equal branches match, similar ones are compared, the rest added or removed."""
        fragment = "one-of" if kind == "oneOf" else "any-of"
        available: dict[str, list[int]] = {}
        for index, branch in enumerate(new):
            available.setdefault(self._sig(branch), []).append(index)
        unmatched_old = []
        for index, branch in enumerate(old):
            slots = available.get(self._sig(branch))
            if slots:
                slots.pop(0)
            else:
                unmatched_old.append(index)
        unmatched_new = sorted(index for slots in available.values() for index in slots)
        scored = sorted(
            ((_similarity(old[i], new[j]), i, j) for i in unmatched_old for j in unmatched_new),
            key=lambda item: (-item[0], item[1], item[2]),
        )
        single = len(unmatched_old) == 1 and len(unmatched_new) == 1
        for score, i, j in scored:
            if i in unmatched_old and j in unmatched_new and (score >= 0.5 or (single and score > 0)):
                unmatched_old.remove(i)
                unmatched_new.remove(j)
                branch_path = (*path, f"|{kind} #{j + 1}") if len(new) > 1 else path
                self.compare(old[i], new[j], branch_path, depth + 1)
        for i in unmatched_old:
            self._report(path, Change((f"{fragment}-removed",), f"lost the {kind} alternative '{_describe(old[i])}'"))
        for j in unmatched_new:
            self._report(path, Change((f"{fragment}-added",), f"gained the {kind} alternative '{_describe(new[j])}'"))
