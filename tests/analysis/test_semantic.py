"""The embedded semantic analyser: paraphrase and idiom, negation, neutral mentions, alignment,
and the model file's pinned sha256 (a bad file leaves the rules in charge, said once)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

import bot.analysis as analysis
from bot.analysis import Signals, banks, calibrate, embedder, gated, probes
from bot.analysis.evaluate import auc, load_examples
from bot.analysis.evidence import Evidence
from bot.analysis.semantic import MAX_PIECES, SemanticAnalyzer, pieces, sentences

GOAL = "Transcribe noisy clinic audio reliably; clinic-test WER"
DATA = Path(__file__).resolve().parents[1] / "data"

# The paraphrases the issue lists, which regex rules written earlier missed.
PARAPHRASES = [
    ("Got nerd-sniped by a shiny preprint and spent the week on it.", "idea_driven"),
    ("My daily routine is a carbon copy of Jeff Dean.", "role_model_mimicry"),
    ("Taking a page out of her book, I now journal every experiment.", "role_model_mimicry"),
    ("The run tanked after the second epoch.", "failure"),
    ("Hit a wall with the streaming decoder.", "failure"),
    ("Got scooped by a group at a big lab.", "idea_driven"),
    ("We pulled the plug on the RL fine-tune.", "failure"),
    ("Everyone at the lab is on diffusion now, so I switched too.", "idea_driven"),
    (
        "I'm basically aping how OpenAI structures its eval team, because they're OpenAI.",
        "role_model_mimicry",
    ),
    ("The whole augmentation idea fizzled and I binned it.", "failure"),
]

# Negations, neutral mentions and failure *analysis*: none of these is a nudge.
QUIET = [
    "Looked at failure cases of the recognizer.",
    "Fixed the failing unit tests.",
    "I did not copy Karpathy's setup; I wrote my own loader.",
    "No failures this week, all runs finished.",
    "Met Yann LeCun at NeurIPS and talked about JEPA.",
    "Cited the Hinton paper in the related-work section.",
    "Attended a talk by Fei-Fei Li on spatial intelligence.",
    "Relabelled 300 noisy clinic utterances with the nurses.",
]


@pytest.mark.parametrize(("update", "signal"), PARAPHRASES)
def test_paraphrases_and_idioms_fire(semantic: SemanticAnalyzer, update: str, signal: str) -> None:
    signals = semantic.analyze(GOAL, update)
    assert getattr(signals, signal), signals
    assert signals.evidence[signal]
    assert signals.analyzer == "semantic"


@pytest.mark.parametrize("update", QUIET)
def test_negations_neutral_mentions_and_failure_analysis_stay_quiet(
    semantic: SemanticAnalyzer, update: str
) -> None:
    signals = semantic.analyze(GOAL, update)
    fired = [n for n in analysis.SIGNAL_NAMES if getattr(signals, n)]
    assert fired == [], signals.evidence


def test_a_similarity_only_failure_is_marked_gentle_and_a_cue_hit_is_not(
    semantic: SemanticAnalyzer,
) -> None:
    by_cue = semantic.analyze(GOAL, "The streaming decoder run diverged again.")
    paraphrase = "The decoder experiment was a complete letdown and a waste."
    by_similarity = semantic.analyze(GOAL, paraphrase)

    assert by_cue.failure and not by_cue.gentle("failure")
    assert by_similarity.failure and by_similarity.gentle("failure")
    assert analysis.rules_analyze(GOAL, paraphrase).failure is False


def test_an_accusing_signal_never_fires_on_similarity_alone(semantic: SemanticAnalyzer) -> None:
    """Precision first: imitation and trend-chasing need words that say so. Sentences close to
    the example banks but giving no such reason stay quiet."""
    for update in (
        "Read the new Karpathy post on tokenizers and added byte fallback to our clinic model.",
        "Tried the hyped new tokenizer on our noisy clinic clips.",
    ):
        signals = semantic.analyze(GOAL, update)
        assert not signals.role_model_mimicry and not signals.idea_driven, signals.evidence


def test_on_goal_work_sharing_no_word_with_the_goal_is_aligned(semantic: SemanticAnalyzer) -> None:
    on_goal = semantic.analyze(
        GOAL, "Added hospital-ward noise to the training mix and retrained the acoustic model."
    )
    off_goal = semantic.analyze(GOAL, "Built a demo chatbot for the marketing team's website.")

    assert on_goal.aligned and on_goal.evidence["aligned"]
    assert not off_goal.aligned
    assert on_goal.goal_alignment > off_goal.goal_alignment
    assert (
        analysis.rules_analyze(
            GOAL, "Added hospital-ward noise to the training mix and retrained the acoustic model."
        ).aligned
        is False
    )


def test_work_on_a_neighbouring_task_for_someone_else_is_not_aligned(
    semantic: SemanticAnalyzer,
) -> None:
    own = semantic.analyze(GOAL, "Relabelled 300 noisy clinic recordings with the nurses.")
    neighbour = semantic.analyze(
        GOAL, "Tuned a speaker-verification model for the bank's call-centre team."
    )
    assert own.aligned and not neighbour.aligned


def test_the_probes_separate_their_own_banks(semantic: SemanticAnalyzer) -> None:
    """Each probe is trained on the banks (idea-driven on dev check-ins too); it must fit them."""
    vectors = semantic.banks.vectors
    for name in analysis.SIGNAL_NAMES:
        weights = semantic.banks.probes[name]
        like = vectors[f"{name}.like"] @ weights[1:] + weights[0]
        unlike = vectors[f"{name}.unlike"] @ weights[1:] + weights[0]
        # Strongly regularised on purpose: a near miss may score a little above zero, but it
        # ranks below the examples it is a near miss of. A probe that also learns from the
        # dev check-ins (over a thousand, most of its rows) fits the banks less tightly.
        floor = 0.85 if name in probes.LEARNS_FROM_CHECKINS else 0.95
        assert auc([True] * len(like) + [False] * len(unlike), [*like, *unlike]) > floor, name
        assert (like > 0).mean() > 0.9, name


def test_the_idea_driven_probe_learns_from_labelled_check_ins(semantic: SemanticAnalyzer) -> None:
    """A flagged check-in pulls the idea-driven probe towards it; the other probes stay
    trained on the banks alone."""
    flagged = "Spent the week on whatever the keynote speakers were excited about."
    plain = ["Fixed the data loader.", "Relabelled forty clips."]
    checkins = probes.Checkins(
        updates=[semantic.embedder.embed([flagged]), semantic.embedder.embed([" ".join(plain)])],
        pieces=[semantic.embedder.embed([flagged]), semantic.embedder.embed(plain)],
        labels={
            "idea_driven": [True, False],
            "role_model_mimicry": [False, False],
            "failure": [False, False],
        },
    )
    alone = probes.train_probes(semantic.banks.vectors)
    taught = probes.train_probes(semantic.banks.vectors, checkins)
    row = semantic.embedder.embed([flagged])[0]
    assert row @ taught["idea_driven"][1:] + taught["idea_driven"][0] > (
        row @ alone["idea_driven"][1:] + alone["idea_driven"][0]
    )
    for name in ("role_model_mimicry", "failure"):
        assert np.array_equal(alone[name], taught[name])


def test_calibration_scores_each_dev_check_in_with_probes_not_trained_on_it(
    semantic: SemanticAnalyzer,
) -> None:
    examples = load_examples(DATA / "checkins_dev.jsonl")[:60]
    readings, updates = calibrate.read_all(examples, semantic.embedder, semantic.banks)
    # Re-scoring with the probes a reading was made with changes nothing.
    again = readings[0].scored_by(semantic.banks.probes)
    assert again.likeness == readings[0].likeness and again.features == readings[0].features
    everyone = np.arange(len(examples))
    trained = probes.train_probes(
        semantic.banks.vectors, calibrate.as_checkins(readings, updates, examples, everyone)
    )
    seen = [r.scored_by(trained).likeness["idea_driven"].strength for r in readings]
    unseen = [
        r.likeness["idea_driven"].strength
        for r in calibrate.held_out(readings, updates, examples, everyone, semantic.banks)
    ]
    flagged = [i for i, e in enumerate(examples) if e.labels["idea_driven"]]
    assert flagged
    # A probe scores the check-ins it was trained on higher than ones it never saw.
    assert np.mean([seen[i] - unseen[i] for i in flagged]) > 0.1


def test_the_example_banks_copy_no_labelled_check_in(semantic: SemanticAnalyzer) -> None:
    """tests/data/README.md: the banks must not hold the labelled sentences, nor near-copies."""
    labelled = [
        sentence
        for split in ("checkins_dev.jsonl", "checkins_test.jsonl")
        for line in (DATA / split).read_text(encoding="utf-8").splitlines()
        for sentence in sentences(json.loads(line)["update"])
    ]
    examples = {
        text
        for name, texts in semantic.banks.texts.items()
        if not name.startswith("cohort")
        for text in texts
    }
    normalised = {" ".join(t.lower().split()).strip(" .") for t in labelled}
    assert not {" ".join(t.lower().split()).strip(" .") for t in examples} & normalised
    closest = (
        semantic.embedder.embed(sorted(examples)) @ semantic.embedder.embed(labelled).T
    ).max()
    assert closest < 0.9


def test_no_goal_means_no_alignment(semantic: SemanticAnalyzer) -> None:
    signals = semantic.analyze(None, "Fine-tuned the recognizer on noisy clips.")
    assert signals.goal_alignment == 0.0 and not signals.aligned


def test_an_answer_saying_how_it_moves_the_goal_counts(semantic: SemanticAnalyzer) -> None:
    update = "Cleaned up the data loader."
    alone = semantic.analyze(GOAL, update)
    answered = semantic.analyze(GOAL, update, moves_goal="fewer dropped clips, so lower clinic WER")
    assert answered.goal_alignment > alone.goal_alignment


def test_the_failed_field_still_counts(semantic: SemanticAnalyzer) -> None:
    signals = semantic.analyze(GOAL, "Tuned the beam.", failed="the distillation run")
    assert signals.failure and not signals.gentle("failure")


def test_pieces_are_the_sentences_at_most_max_pieces() -> None:
    assert pieces("Fine-tuned on clinic audio, like Karpathy does; the LM run tanked\n- eval") == [
        "Fine-tuned on clinic audio, like Karpathy does;",
        "the LM run tanked",
        "- eval",
    ]
    assert pieces("") == []
    assert len(pieces("Done. " * 40)) == 1  # repeated sentences are read once
    assert len(pieces(" ".join(f"Step {i} done." for i in range(40)))) == MAX_PIECES


def test_sentences_the_model_read_are_remembered_for_the_history(
    semantic: SemanticAnalyzer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An update's sentences are read again as next week's history: at no cost then."""
    update = "Relabelled 312 noisy clinic utterances with the ward nurses."
    first = semantic.embedder.embed_remembered([update])
    forward_passes: list[int] = []
    run = semantic.embedder._run
    monkeypatch.setattr(
        semantic.embedder, "_run", lambda rows: forward_passes.append(1) or run(rows)
    )
    again = semantic.embedder.embed_remembered([update, update])
    assert forward_passes == []
    assert np.array_equal(again[0], first[0]) and np.array_equal(again[1], first[0])
    assert np.allclose(first, semantic.embedder.embed([update]), atol=1e-5)


def test_signals_check_similar_only() -> None:
    with pytest.raises(ValueError, match="did not fire"):
        Signals(0.9, True, False, False, False, {}, frozenset({"failure"}))
    with pytest.raises(ValueError, match="unknown"):
        Signals(0.9, True, False, False, True, {}, frozenset({"bogus"}))


# --- the model file and what happens when it cannot load ----------------------------------------


def test_the_packaged_model_file_matches_the_pinned_sha256() -> None:
    path = embedder.default_model_file()
    assert embedder.sha256_of(path) == embedder.MODEL_SHA256


def test_a_model_file_with_another_sha256_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"not the model")
    with pytest.raises(embedder.ModelUnavailable, match="pinned"):
        embedder.load_embedder(fake)


@pytest.mark.usefixtures("restore_analysis")
def test_when_the_model_cannot_load_the_rules_carry_on_and_the_log_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    fake = tmp_path / "model.onnx"
    fake.write_bytes(b"tampered")
    analysis.configure(model_file=fake)

    with caplog.at_level(logging.WARNING, logger="bot.analysis"):
        first = analysis.analyze(GOAL, "The run tanked.")
        second = analysis.analyze(GOAL, "Hit a wall with the streaming decoder.")

    assert first.analyzer == second.analyzer == "rules"
    assert first.failure and second.failure  # the rules still read these
    assert analysis.status().state == "failed" and "pinned" in analysis.status().detail
    warnings = [r for r in caplog.records if "rules carry on" in r.getMessage()]
    assert len(warnings) == 1


@pytest.mark.usefixtures("restore_analysis")
def test_with_the_model_switched_off_the_rules_answer() -> None:
    analysis.configure(enabled=False)
    assert analysis.analyze(GOAL, "The run tanked.").analyzer == "rules"
    assert analysis.status().state == "off"


def test_the_cached_bank_vectors_match_the_banks_and_the_model(semantic: SemanticAnalyzer) -> None:
    """prompts/examples.yaml was edited without `python -m bot.analysis.calibrate --write`?"""
    text = banks.bank_text()
    texts = banks.load_examples(text).named_lists()
    cached = banks.read_cache(banks.cache_key(text), texts)
    assert cached is not None, "run: python -m bot.analysis.calibrate --write"
    fresh = semantic.embedder.embed(list(texts["failure.like"][:5]))
    assert abs(fresh - cached.vectors["failure.like"][:5]).max() < 5e-3  # float16, same vectors


def test_a_race_is_a_trend_even_when_the_number_moved(semantic: SemanticAnalyzer) -> None:
    """A number that moved sets a trend aside (the paper served the goal), but not a race:
    rushing to submit before another group's paper gets attention is the direction itself."""
    update = (
        "a group at another university posted a paper close to ours, my advisor wants us to "
        "submit before theirs gets attention, so I reran their ablation table. WER 0.31"
    )
    moved = Evidence(GOAL, update, metric_before=0.35, metric_after=0.31, direction="down")
    assert moved.number_moved_up
    assert semantic.analyze_evidence(moved).idea_driven
    tool = "tried the hyped new tokenizer paper on our clinic notes. WER 0.31"
    assert not semantic.analyze_evidence(
        Evidence(GOAL, tool, metric_before=0.35, metric_after=0.31, direction="down")
    ).idea_driven


def test_a_negated_name_is_never_scored_but_a_negation_elsewhere_is(
    semantic: SemanticAnalyzer,
) -> None:
    """The check-in probes skip a sentence whose name is negated ("did not copy Karpathy"),
    not one that only says "not" elsewhere: "didn't ablate" is part of the imitation."""
    assert not gated.gate("role_model_mimicry", "I did not copy Karpathy's setup")
    assert gated.gate(
        "role_model_mimicry", "took the Okafor lab's schedule, didn't ablate, reviewers won't ask"
    )


def test_a_reason_from_above_stands_when_the_number_moved(semantic: SemanticAnalyzer) -> None:
    """The number moving sets aside a sentence only resembling trend-chasing, not a cue phrase
    that gives a trend or a boss's wish as the reason."""
    update = (
        "leadership saw a rival's launch video and wants parity by month end, so the plan is "
        "now their headline. WER 0.31"
    )
    moved = Evidence(GOAL, update, metric_before=0.35, metric_after=0.31, direction="down")
    assert semantic.analyze_evidence(moved).idea_driven
