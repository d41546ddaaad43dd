"""Answer streaming parts and keyword matching."""

from __future__ import annotations

from mockserver.vendors.sysaid_copilot.knowledge import chunks, matches


def test_parts_join_back_to_the_answer() -> None:
    answer = "Restart the VPN client and sign in again."
    assert chunks(answer) == ["Restart the VPN client", " and sign in again."]
    for text in ("one", "  leading and trailing  ", "a\nb\n\nc d e f g h i", ""):
        assert "".join(chunks(text)) == text


def test_keywords_match_whole_words_ignoring_case() -> None:
    assert matches("vpn", "My VPN is down")
    assert matches("error 401", "Error 401 again")
    assert not matches("print", "the printer")
    assert matches("c++", "I use C++ daily")
