"""Slugs: ASCII, short, never empty, never ``index``, unique in a deterministic way."""

from __future__ import annotations

import re
import time

from hypothesis import given
from hypothesis import strategies as st

from generator.slugs import FALLBACK, MAX_LENGTH, slugify, unique_slugs

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def test_basic_title():
    assert slugify("Take the Xi-Putin Relationship at Face Value") == "take-the-xi-putin-relationship-at-face-value"


def test_punctuation_collapses_to_single_hyphens():
    assert slugify("What, exactly, is the state of the Sino-Russian relationship?") == (
        "what-exactly-is-the-state-of-the-sino-russian-relationship"
    )
    assert slugify("  --Hello ___ World!!--  ") == "hello-world"


def test_accents_are_folded_and_other_scripts_dropped():
    assert slugify("Café Zürich, Ærø and Ångström") == "cafe-zurich-r-and-angstrom"
    assert slugify("Путин и Си: 习近平") == FALLBACK
    assert slugify("Xi 习近平 visits") == "xi-visits"


def test_dangerous_or_empty_titles_get_safe_slugs():
    assert slugify("") == FALLBACK
    assert slugify("   ") == FALLBACK
    assert slugify("?!…") == FALLBACK
    assert slugify("..") == FALLBACK
    assert slugify("/etc/passwd") == "etc-passwd"
    assert slugify("../../secret") == "secret"
    assert slugify("CON") == "con"


def test_never_index():
    assert slugify("Index") == "index-article"
    assert slugify("index!") == "index-article"
    assert slugify("Index of Fears") == "index-of-fears"


def test_long_titles_are_cut_at_a_word_boundary():
    title = "The quick brown fox jumps over the lazy dog while the cat watches from the windowsill"
    slug = slugify(title)
    assert len(slug) <= MAX_LENGTH
    assert slug == "the-quick-brown-fox-jumps-over-the-lazy-dog-while-the-cat"
    assert title.lower().replace(" ", "-").startswith(slug)


def test_word_ending_exactly_at_the_limit_is_kept():
    title = "a" * 55 + " bcde fgh"  # 55 + 1 + 4 = 60 characters up to "bcde"
    assert slugify(title) == "a" * 55 + "-bcde"


def test_single_long_word_is_hard_cut():
    assert slugify("x" * 200) == "x" * MAX_LENGTH


def test_unique_slugs_appends_numbers_in_order():
    assert unique_slugs(["Same", "Other", "Same", "same!", "Same"]) == ["same", "other", "same-2", "same-3", "same-4"]


def test_unique_slugs_avoids_a_suffix_that_is_already_a_slug():
    assert unique_slugs(["A", "A 2", "A"]) == ["a", "a-2", "a-3"]
    assert unique_slugs(["A", "A", "A 2"]) == ["a", "a-2", "a-2-2"]


def test_unique_slugs_is_deterministic_and_keeps_the_limit():
    titles = ["w" * 70, "w" * 70, "?", "", ".."]
    first = unique_slugs(titles)
    assert first == unique_slugs(list(titles))
    assert first[1] == "w" * (MAX_LENGTH - 2) + "-2"
    assert first[2:] == ["article", "article-2", "article-3"]
    assert all(len(s) <= MAX_LENGTH for s in first)


def test_unique_slugs_is_linear_for_many_collisions():
    start = time.perf_counter()
    slugs = unique_slugs(["Same title"] * 5000)
    assert len(set(slugs)) == 5000
    assert slugs[-1] == "same-title-5000"
    assert time.perf_counter() - start < 1.0


@given(st.text())
def test_any_title_gives_a_safe_slug(title):
    slug = slugify(title)
    assert SLUG.fullmatch(slug)
    assert len(slug) <= MAX_LENGTH
    assert slug != "index"


@given(st.lists(st.text(max_size=20), max_size=30))
def test_unique_slugs_are_unique_and_safe(titles):
    slugs = unique_slugs(titles)
    assert len(slugs) == len(titles)
    assert len(set(slugs)) == len(slugs)
    assert all(SLUG.fullmatch(s) and len(s) <= MAX_LENGTH for s in slugs)


@given(st.lists(st.sampled_from(["Same", "same!", "Other", "A", "A 2", "", "..", "w" * 70]), max_size=12))
def test_unique_slugs_from_known_bases_are_the_same(titles):
    """A rebuild numbers the slugs its records kept (Article.base_slug) instead of slugifying
    every title again: the same slugs."""
    assert unique_slugs(titles, [slugify(t) for t in titles]) == unique_slugs(titles)
