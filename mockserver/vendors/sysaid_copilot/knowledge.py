"""How the mock Copilot answers: verified answers first, then the organization's fixture knowledge.

Answers are deterministic so client tests can assert them: a question equal (ignoring case, spacing and final
punctuation) to the question of a verified answer in an enabled dataset gets that answer; otherwise the knowledge
entry whose keywords occur most often in the text answers (first entry on a tie); nothing matching is "No Answer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from mockserver.runtime import runtime
from mockserver.vendors.sysaid_copilot.model import DATASETS, ORGS, RECORDS

__all__ = ["NO_ANSWER", "Answer", "answer_for", "chunks", "matches", "system_info"]

NO_ANSWER = "No Answer"
_WORDS_PER_PART = 4


@dataclass(frozen=True)
class Answer:
    """The Copilot's answer to one message (`content` None when there is no answer)."""

    content: str | None
    sources: str
    quality: float

    @property
    def info(self) -> str:
        """The admin-only diagnostic text of the answer message."""
        return f"sources: {self.sources}" if self.content is not None else "no matching knowledge"


def _normalized(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip("?.! ")


def matches(keyword: str, text: str) -> bool:
    """Whether a keyword (or phrase) occurs in a text as whole words, ignoring case."""
    return re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text, re.IGNORECASE) is not None


async def _verified_answer(org: str, text: str) -> Answer | None:
    store = runtime().store
    question = _normalized(text)
    for record in await store.find(RECORDS, org=org, isVerifiedAnswer=True):
        dataset = await store.get(DATASETS, str(record["dataset"]))
        if dataset and dataset["enabled"] and record["summary"] and _normalized(record["summary"]) == question:
            return Answer(record["text"], f"verified answer {record['id']} (dataset {record['dataset']})", 1.0)
    return None


async def answer_for(org: str, text: str) -> Answer:
    """The deterministic answer of an organization's Copilot to a message."""
    verified = await _verified_answer(org, text)
    if verified is not None:
        return verified
    knowledge: list[dict[str, Any]] = (await runtime().store.get(ORGS, org) or {}).get("knowledge", [])
    best: tuple[int, dict[str, Any]] | None = None
    for entry in knowledge:
        hits = sum(1 for keyword in entry["keywords"] if matches(keyword, text))
        if hits and (best is None or hits > best[0]):
            best = (hits, entry)
    if best is None:
        return Answer(None, "", 0.0)
    hits, entry = best
    return Answer(entry["answer"], entry["sources"], round(0.5 + 0.5 * hits / len(entry["keywords"]), 2))


def system_info(conf: dict[str, Any], answer: Answer) -> str:
    """The admin-only `system` text of a chat answer (`conf`: the organization's `orgConf`)."""
    message = conf.get("chatSystemMessage") or "default"
    return f"system message: {message}; model: mock-copilot; {answer.info}; quality: {answer.quality}"


def chunks(content: str) -> list[str]:
    """The parts an answer is streamed in (a few words each; joined they give the answer back exactly)."""
    words = re.findall(r"\s*\S+", content) or [content]
    parts = ["".join(words[i : i + _WORDS_PER_PART]) for i in range(0, len(words), _WORDS_PER_PART)]
    trailing = content[len("".join(parts)) :]
    if trailing:
        parts[-1] += trailing
    return parts
