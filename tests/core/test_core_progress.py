"""Progress lines off a terminal (CI, pipes): a few per run, with step, loss and ETA."""

import io
import re

from pipeline.core.progress import Steps, eta_line


def test_progress_steps_write_a_line_every_total_over_lines_steps_and_at_the_end(monkeypatch):
    monkeypatch.setenv("CI", "1")
    out = io.StringIO()
    with Steps(10, "train_transformer", lines=3, stream=out) as bar:
        for i in range(10):
            bar.update(1.0 / (i + 1))
    lines = out.getvalue().splitlines()
    got = [
        re.match(r"train_transformer: step (\d+)/10 \((\d+)%\), loss ([\d.]+), \d+ s", line).groups() for line in lines
    ]
    assert got == [("3", "30", "0.333"), ("6", "60", "0.167"), ("9", "90", "0.111"), ("10", "100", "0.100")]
    assert all("ETA" in line for line in lines[:-1]) and "ETA" not in lines[-1]


def test_progress_steps_stopped_early_says_where(monkeypatch):
    monkeypatch.setenv("CI", "1")
    out = io.StringIO()
    try:
        with Steps(100, "train (spaCy NER)", unit="epoch", lines=4, stream=out) as bar:
            for _ in range(30):
                bar.update(12.5)
            raise KeyboardInterrupt
    except KeyboardInterrupt:
        pass
    assert [line.split(",")[0] for line in out.getvalue().splitlines()] == [
        "train (spaCy NER): epoch 25/100 (25%)",
        "train (spaCy NER): epoch 30/100 (30%)",
    ]


def test_progress_eta_line_without_loss_and_at_step_zero():
    assert eta_line("ingest", 0, 5, 0.0, unit="doc") == "ingest: doc 0/5 (0%), 0 s, ETA 0 s"
    assert eta_line("ingest", 5, 5, 12.4, unit="doc") == "ingest: doc 5/5 (100%), 12 s"
