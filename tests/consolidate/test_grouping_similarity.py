"""Near-duplicate entities joined by embedding similarity plus a lexical guard (pipeline/consolidate/similarity.py)."""

import pandas as pd
import pytest

from pipeline.consolidate.similarity import compatible, content_words, merge_similar


@pytest.mark.parametrize(
    "label,a,b",
    [
        ("ORG", "World Association of Kazakhs", "World Kazakh Association"),
        ("ORG", "Association of World Kazakhs", "World Association of Kazakhs"),
        (
            "ORG",
            "Ministry of Labour and Social Protection",
            "Ministry of Labour and Social Protection of the Population",
        ),
        ("EVENT", "5th World Kurultay of Kazakhs", "Fifth World Kurultai of Kazakhs"),
        ("PERSON", "Mendikulova", "Mendikulova G.M."),
        ("PERSON", "Kusçu I.", "Kuscu"),
        ("GPE", "Kazakhstane", "Kazakhstan"),
    ],
)
def test_compatible_names(label, a, b):
    assert compatible(label, a, b) and compatible(label, b, a)


@pytest.mark.parametrize(
    "label,a,b",
    [
        (
            "LAW",
            "Decree of the Government of the Republic of Kazakhstan",
            "Decree of the President of the Republic of Kazakhstan",
        ),
        ("GPE", "Kazakhstan", "South Kazakhstan"),
        ("LOC", "Europe", "Western Europe"),
        ("LOC", "Eastern Europe", "Western Europe"),
        ("EVENT", "World Kurultay of Kazakhs", "Second World Kurultay of Kazakhs"),
        ("EVENT", "Fourth World Kurultay of Kazakhs", "Fifth World Kurultai of Kazakhs"),
        ("PERSON", "Robin", "Robin Cohen"),
        ("GPE", "Kazakhstan", "Kyrgyzstan"),
    ],
)
def test_incompatible_names(label, a, b):
    assert not compatible(label, a, b) and not compatible(label, b, a)


def test_content_words_fold_ordinals_and_function_words():
    # normalize() folds transliterations (w→v, q→k, -ay→-ai), so the words are folded forms
    assert content_words("The Fifth World Kurultai of Kazakhs") == ["5", "vorld", "kurultai", "kazakhs"]
    assert content_words("5th World Kurultay of the Kazakhs") == ["5", "vorld", "kurultai", "kazakhs"]


def test_merge_similar_joins_near_duplicates_and_keeps_curated_apart():
    groups = {
        "t:world association of kazakhs|ORG": ("ORG", "World Association of Kazakhs"),
        "t:world kazakh association|ORG": ("ORG", "World Kazakh Association"),
        "t:world kazakh association|NORP": ("NORP", "World Kazakh Association"),  # another label: never joined
        "t:decree of the president of the republic of kazakhstan|LAW": (
            "LAW",
            "Decree of the President of the Republic of Kazakhstan",
        ),
        "t:decree of the government of the republic of kazakhstan|LAW": (
            "LAW",
            "Decree of the Government of the Republic of Kazakhstan",
        ),
        "id:kazakhstan|GPE": ("GPE", "Kazakhstan"),
        "t:kazakhstane|GPE": ("GPE", "Kazakhstane"),
        "id:kazakh-card|LAW": ("LAW", "Kazakh Card"),
        "id:kazakhs-card|LAW": ("LAW", "Kazakhs card"),  # two curated ids: the curation said they differ
    }
    merged = merge_similar(groups, 0.85)
    assert (
        merged["t:world kazakh association|ORG"]
        == merged["t:world association of kazakhs|ORG"]
        == "t:world association of kazakhs|ORG"
    )  # the alphabetically first key, not the most frequent
    assert merged["t:world kazakh association|NORP"] == "t:world kazakh association|NORP"
    assert (
        merged["t:decree of the president of the republic of kazakhstan|LAW"]
        != merged["t:decree of the government of the republic of kazakhstan|LAW"]
    )
    assert merged["t:kazakhstane|GPE"] == "id:kazakhstan|GPE"  # a free-text group joins the curated one
    assert (
        merged["id:kazakh-card|LAW"] == "id:kazakh-card|LAW" and merged["id:kazakhs-card|LAW"] == "id:kazakhs-card|LAW"
    )
    assert merge_similar(groups, 0) == {k: k for k in groups}  # 0 turns it off


def test_entity_index_joins_spelling_variants_across_documents(tmp_path):
    from conftest import ingest_text

    from pipeline.consolidate import entities_tables

    texts = {
        "a": "The World Association of Kazakhs met Mendikulova G.M. in South Kazakhstan.",
        "b": "The World Kazakh Association (WKA) cited Mendikulova on Kazakhstan.",
    }
    names_ = {
        "a": [("World Association of Kazakhs", "ORG"), ("Mendikulova G.M.", "PERSON"), ("South Kazakhstan", "GPE")],
        "b": [("World Kazakh Association", "ORG"), ("WKA", "ORG"), ("Mendikulova", "PERSON"), ("Kazakhstan", "GPE")],
    }
    docs, cands = {}, {}
    for d, text in texts.items():
        (tmp_path / d).mkdir()
        docs[d] = ingest_text(text + "\n", name=f"{d}.txt", tmp_path=tmp_path / d)
        rows = []
        for quote, label in names_[d]:
            s = docs[d].text.index(quote if quote != "Kazakhstan" else "on Kazakhstan") + (
                3 if quote == "Kazakhstan" else 0
            )
            rows.append({"start": s, "end": s + len(quote), "label": label, "source": "rules", "score": 0.8, "key": ""})
        cands[d] = pd.DataFrame(rows)
    _, index = entities_tables(docs, cands, tmp_path / "no-aliases.jsonl", 0.85)
    groups = sorted(sorted(a) for a in index["aliases"])
    assert groups == [
        ["Kazakhstan"],
        ["Mendikulova", "Mendikulova G.M."],
        ["South Kazakhstan"],
        ["WKA", "World Association of Kazakhs", "World Kazakh Association"],
    ]
    _, apart = entities_tables(docs, cands, tmp_path / "no-aliases.jsonl", 0.0)  # off: only the abbreviation joins
    assert sorted(sorted(a) for a in apart["aliases"]) == [
        ["Kazakhstan"],
        ["Mendikulova"],
        ["Mendikulova G.M."],
        ["South Kazakhstan"],
        ["WKA", "World Kazakh Association"],
        ["World Association of Kazakhs"],
    ]


def test_merge_similar_does_not_chain_through_a_short_name():
    groups = {
        "t:smith|PERSON": ("PERSON", "Smith"),
        "t:smith j|PERSON": ("PERSON", "Smith J."),
        "t:smith a|PERSON": ("PERSON", "Smith A."),
        "t:communist party|ORG": ("ORG", "Communist Party"),
        "t:communist party of china|ORG": ("ORG", "Communist Party of China"),
        "t:communist party of the soviet union|ORG": ("ORG", "Communist Party of the Soviet Union"),
    }
    merged = merge_similar(groups, 0.8)
    assert merged["t:smith j|PERSON"] != merged["t:smith a|PERSON"]
    assert merged["t:communist party of china|ORG"] != merged["t:communist party of the soviet union|ORG"]


@pytest.mark.model
def test_blocking_finds_every_compatible_pair_of_the_corpus_names(corpus_run):
    """merge_similar scores only the blocked candidate pairs; on the corpus's own names they are exactly the
    pairs that an all-pairs comparison finds compatible."""
    from itertools import combinations

    from pipeline.consolidate.similarity import candidate_pairs

    _, _, work = corpus_run
    mentions = pd.read_parquet(work / "tables" / "entities.parquet")
    groups = {f"t:{t}|{lab}": (lab, t) for t, lab in sorted(set(zip(mentions["text"], mentions["label"])))}
    brute = [
        (a, b)
        for a, b in combinations(sorted(groups), 2)
        if groups[a][0] == groups[b][0] and compatible(groups[a][0], groups[a][1], groups[b][1])
    ]
    assert len(brute) > 20  # the corpus has near-duplicates to find
    assert candidate_pairs(groups) == brute


def test_words_the_same_only_by_their_ratio_share_an_end():
    """A one-letter typo or plural keeps the first or last three letters; two changes at both ends is another word."""
    assert compatible("GPE", "Kyrgyzstan", "Kirgyzstan")
    assert compatible("ORG", "Kazakhstan Institute", "Kazakhstan Institutes")
    assert not compatible("GPE", "xkazakhstan", "kazakhstany")
