"""People, places and organisations (generator.entities) and the aliases file (generator.aliases)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from generator.aliases import load_aliases
from generator.entities import find_mentions, people_index
from generator.entity_forms import KINDS, slugify
from generator.errors import ProblemsError
from generator.records import Article, Metadata
from generator.sentences import build_paragraph

SEEDS_ALIASES = Path(__file__).resolve().parent.parent / "seeds" / "aliases.yml"


def make_article(*paragraphs: str) -> Article:
    return Article(
        slug="t",
        source_file="t.txt",
        meta=Metadata(title="T"),
        paragraphs=tuple(build_paragraph(n, text) for n, text in enumerate(paragraphs, start=1)),
    )


def table(mentions) -> list[tuple[str, str, int, tuple[int, ...]]]:
    return [(m.name, m.kind, m.count, m.paragraphs) for m in mentions]


ARTICLE = make_article(
    "Chinese President Xi Jinping arrived in Moscow on Monday. “We will not be lectured by anyone about "
    "our friendships,” Xi said.",
    "“The West has misread this relationship for a decade now,” said Alexander Gabuev of the Carnegie "
    "Endowment. Gabuev added that the Kremlin needs Beijing more than ever, and that Putin knows it.",
    "As one Russian state official put it, the U.S. cannot offer what China offers. A State Department "
    "spokesperson disagreed. However, in March the United States and India signed a new deal.",
    "Lord Palmerston’s dictum that nations have no permanent friends still applies, as the Cold War "
    "showed. Palmerston would recognise the Central African Republic, where Wagner fighters guard the "
    "president and the Wagner Group sells gold.",
    "BRICS and the SCO keep growing. Yet the SCO is not NATO, and BRICS is not the EU.",
    "Recent Features",
)


def test_mentions_with_builtin_gazetteer():
    assert table(find_mentions(ARTICLE)) == [
        ("Alexander Gabuev", "person", 2, (2,)),
        ("Lord Palmerston", "person", 2, (4,)),
        ("Xi Jinping", "person", 2, (1,)),
        ("United States", "place", 2, (3,)),
        ("Beijing", "place", 1, (2,)),
        ("Central African Republic", "place", 1, (4,)),
        ("China", "place", 1, (3,)),
        ("India", "place", 1, (3,)),
        ("Moscow", "place", 1, (1,)),
        ("BRICS", "organisation", 2, (5,)),
        ("SCO", "organisation", 2, (5,)),
        ("Wagner Group", "organisation", 2, (4,)),
        ("Carnegie Endowment", "organisation", 1, (2,)),
        ("European Union", "organisation", 1, (5,)),
        ("Kremlin", "organisation", 1, (2,)),
        ("NATO", "organisation", 1, (5,)),
        ("State Department", "organisation", 1, (3,)),
    ]


def test_mentions_with_the_seeds_aliases():
    mentions = table(find_mentions(ARTICLE, load_aliases(SEEDS_ALIASES)))
    people = [m for m in mentions if m[1] == "person"]
    places = [m for m in mentions if m[1] == "place"]
    assert people == [
        ("Alexander Gabuev", "person", 2, (2,)),
        ("Lord Palmerston", "person", 2, (4,)),
        ("Xi Jinping", "person", 2, (1,)),
        ("Vladimir Putin", "person", 1, (2,)),
    ]
    # Beijing -> China and Moscow -> Russia: the analyst's choice in seeds/aliases.yml.
    assert places == [
        ("China", "place", 2, (2, 3)),
        ("United States", "place", 2, (3,)),
        ("Central African Republic", "place", 1, (4,)),
        ("India", "place", 1, (3,)),
        ("Russia", "place", 1, (1,)),
    ]


def test_entity_ids_are_stable_slugs():
    ids = {m.name: m.entity_id for m in find_mentions(ARTICLE)}
    assert ids["Xi Jinping"] == "xi-jinping"
    assert ids["Central African Republic"] == "central-african-republic"
    assert slugify("Côte d'Ivoire") == "cote-d-ivoire"
    assert slugify("G7") == "g7"


def test_order_is_kind_then_count_then_name():
    mentions = find_mentions(ARTICLE)
    keys = [(KINDS.index(m.kind), -m.count, m.name) for m in mentions]
    assert keys == sorted(keys)
    assert find_mentions(ARTICLE) == mentions  # deterministic


def test_no_false_people_from_sentence_openers_months_events_or_demonyms():
    article = make_article(
        "The talks began in March. Yet However Moreover. Russian and Chinese officials met in Geneva. "
        "The Cold War is over, Brussels said. Recent Features Foreign Ministry said nothing.",
        "In June Western diplomats said the Kremlin had changed its tone.",
    )
    assert table(find_mentions(article)) == [
        ("Brussels", "place", 1, (1,)),
        ("Kremlin", "organisation", 1, (2,)),
    ]


def test_person_rule_titles_speech_verbs_and_surnames():
    article = make_article(
        "Prime Minister Narendra Modi met opposition leader Rahul Gandhi. Mr. Gandhi was not impressed.",
        "Maria Petrova said the plan would fail. Later, Petrova changed her mind; Modi did not.",
        "Kremlin spokesman Dmitry Peskov declined to comment, and Peskov’s silence was noted.",
        "Nobody Important arrived late.",  # two capitalised words, no title, no speech verb
    )
    assert table(m for m in find_mentions(article) if m.kind == "person") == [
        ("Dmitry Peskov", "person", 2, (3,)),
        ("Maria Petrova", "person", 2, (2,)),
        ("Narendra Modi", "person", 2, (1, 2)),
        ("Rahul Gandhi", "person", 2, (1,)),
    ]


def test_ambiguous_surname_is_not_counted_alone():
    article = make_article("Senator Anna Smith and Senator John Smith spoke. Smith left early.")
    assert table(find_mentions(article)) == [
        ("Anna Smith", "person", 1, (1,)),
        ("John Smith", "person", 1, (1,)),
    ]


def test_people_index_maps_surnames_family_name_first():
    index = people_index(make_article("Chinese President Xi Jinping met Lord Palmerston’s biographer, Dr. Ann Lee."))
    assert index["Xi"] == "Xi Jinping"
    assert index["Palmerston"] == "Lord Palmerston"
    assert index["Lee"] == "Ann Lee"


def test_ignore_and_aliases_from_a_file(tmp_path):
    path = tmp_path / "aliases.yml"
    path.write_text(
        "aliases:\n"
        "  Team Kiev: {name: Ukraine}\n"  # kind taken from the known entity
        "  Sinopec: {name: China Petroleum and Chemical Corporation, kind: organisation}\n"
        "ignore: [India]\n",
        encoding="utf-8",
    )
    aliases = load_aliases(path)
    article = make_article("Team Kiev, Sinopec and India met; the China Petroleum and Chemical Corporation paid.")
    assert table(find_mentions(article, aliases)) == [
        ("Ukraine", "place", 1, (1,)),
        ("China Petroleum and Chemical Corporation", "organisation", 2, (1,)),
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("aliases:\n  Xi: {name: Xi Jinping, kind: persn}\n", ["aliases.yml:2:32: aliases.Xi.kind: unknown kind 'persn'"]),
        ("aliasses:\n  Xi: {name: Xi Jinping}\n", ["aliases.yml:1:1: aliasses: unknown key"]),
        ("aliases:\n  Xi: {name: Xi Jinping, knd: person}\n", ["aliases.yml:2:26: aliases.Xi.knd: unknown key"]),
        ("aliases:\n  Xi: {name: Nobody Known}\n", ["aliases.yml:2:7: aliases.Xi: kind is required"]),
        ("aliases:\n  Xi: {kind: person}\n", ["aliases.yml:2:7: aliases.Xi.name: name is required"]),
        ("aliases: [Xi]\n", ["aliases.yml:1:10: aliases: expected a mapping"]),
        ("ignore: [Recent Features, {a: b}]\n", ["aliases.yml:1:27: ignore[1]: expected a non-empty name"]),
        ("aliases:\n  Xi: {name: Xi Jinping, kind: person}\n  Xi: {name: Xi, kind: person}\n", ["aliases.yml:3:3"]),
    ],
)
def test_aliases_file_problems_are_located(tmp_path, text, expected):
    path = tmp_path / "aliases.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemsError) as err:
        load_aliases(path)
    messages = [str(p).replace(str(tmp_path) + "/", "") for p in err.value.problems]
    assert len(messages) == len(expected)
    for message, start in zip(messages, expected):
        assert message.startswith(start), message


def test_missing_aliases_file_is_a_problem(tmp_path):
    with pytest.raises(ProblemsError) as err:
        load_aliases(tmp_path / "nope.yml")
    assert "cannot read the aliases file" in str(err.value)


def test_seeds_aliases_file_maps_the_analyst_choices():
    aliases = load_aliases(SEEDS_ALIASES)
    assert aliases.lookup("Beijing").name == "China"
    assert aliases.lookup("Moscow").name == "Russia"
    assert (aliases.lookup("Xi").name, aliases.lookup("Xi").kind) == ("Xi Jinping", "person")
    assert aliases.lookup("Putin").name == "Vladimir Putin"
    assert aliases.is_ignored("Recent Features")
    assert load_aliases(None).lookup("Beijing").name == "Beijing"  # built-in: the city


def test_speed_of_a_thousand_word_article():
    filler = (
        "The talks covered trade, energy and security, and the officials spent most of the afternoon on "
        "the details of a pipeline that has been discussed for years without agreement on price. "
    )
    article = make_article(*[p.text + " " + filler * 2 for p in ARTICLE.paragraphs[:5]] * 2)
    assert 800 < article.word_count < 1400
    aliases = load_aliases(None)
    find_mentions(article, aliases)
    runs = 20
    start = time.perf_counter()
    for _ in range(runs):
        find_mentions(article, aliases)
    per_article = (time.perf_counter() - start) / runs
    # Budget ~2 ms; generous bound so a loaded CI machine does not flake.
    assert per_article < 0.025


def test_the_fast_parse_of_the_shipped_gazetteer_reads_what_the_strict_one_reads():
    from generator.aliases import GAZETTEER_NAME, GAZETTEER_PATH, shipped_gazetteer_data
    from generator.yamlsafe import load_yaml

    text = GAZETTEER_PATH.read_text(encoding="utf-8")
    assert shipped_gazetteer_data(text) == load_yaml(text, GAZETTEER_NAME).data
