"""RenderedMemo (bourse/core/fragments.py): pieces kept by key, least recently used dropped."""

from bourse.core.fragments import RenderedMemo


def test_a_piece_is_rendered_once_then_kept(settings):
    settings.RENDERED_FRAGMENTS_KEPT = 10
    memo, calls = RenderedMemo("test"), []

    def render(text):
        def run():
            calls.append(text)
            return text

        return run

    assert memo.get(("a", 1), render("A")) == "A"
    assert memo.get(("a", 1), render("other")) == "A"
    assert memo.get(("a", 2), render("B")) == "B"
    assert calls == ["A", "B"]


def test_the_least_recently_used_goes_first(settings):
    settings.RENDERED_FRAGMENTS_KEPT = 2
    memo = RenderedMemo("test")
    memo.get("a", lambda: "A")
    memo.get("b", lambda: "B")
    memo.get("a", lambda: "never")  # "a" used again: "b" is now the oldest
    memo.get("c", lambda: "C")
    assert len(memo) == 2
    assert memo.get("a", lambda: "again") == "A"
    assert memo.get("b", lambda: "B2") == "B2"  # dropped, rendered anew


def test_zero_keeps_nothing(settings):
    settings.RENDERED_FRAGMENTS_KEPT = 0
    memo = RenderedMemo("test")
    assert memo.get("a", lambda: "A") == "A"
    assert memo.get("a", lambda: "A2") == "A2"
    assert len(memo) == 0
