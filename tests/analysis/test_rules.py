"""Tests for the rules-based check-in analysis (``bot.analysis.analyze``)."""

from __future__ import annotations

import doctest

import pytest

import bot.analysis.rules as rules_module
import bot.analysis.signals as signals_module
from bot.analysis import ALIGNED_THRESHOLD, Signals, cues, goal_cues, idea_cues, negation
from bot.analysis.rules import analyze

GOAL = "Transcribe noisy clinic audio reliably; clinic-test WER"


# --- role-model mimicry --------------------------------------------------------------------------

ROLE_MODEL_POSITIVE = [
    "Switched to a single-file training script, like Karpathy does.",
    "Switched to a single-file training script like karpathy does.",
    "I'm copying Karpathy's approach to data loading.",
    "We now set up evals the way DeepMind does it.",
    "My notebook routine is a carbon copy of Jeff Dean.",
    "Taking a page out of her book, I now write a daily log.",
    "Following Jeff Dean's playbook for back-of-the-envelope estimates.",
    "Following the DeepMind playbook on evals.",
    "We moved to RLHF because OpenAI does it.",
    "Giant batch size: if it's good enough for Google it's good enough for us.",
    "Mostly imitating DeepMind on the eval harness.",
    "If it works for Anthropic, it works for us.",
    "Stole a page from Karpathy's book and wrote a daily log.",
    "We switched to their tokenizer because they're OpenAI.",
    "Whatever DeepMind would do, we do.",
    "Copied the whole setup blindly from a famous repo.",
    "Moved to a single GPU box, just like he says to.",
    # a reason given in chat spelling, or through the lab's people
    "Dropped the extra microphone channel bc deepmind did it.",
    "Moved to a transducer, mostly because that's what Google's speech team ships.",
    "Built the decoder around flow matching because Meta's audio team went that way.",
    "Set up the eval the way Liang's group at Stanford does it.",
    "Our recogniser now uses MediaPipe, since that's the stack Google's accessibility team uses.",
    "Yusuf likes to do as Google does, so the tokenizer is theirs now.",
    "Added shared-device features since their team swears by them.",
    "Took DeepMind's recipe wholesale for the decoding schedule.",
    "Followed their lead because I trust their taste more than my own.",
    "Picked their augmentation because they're the gold standard.",
    "Went all in on 4-bit because when Tim Dettmers says jump, I jump.",
    # "without" far back is not a negated reason
    "Switched to Muon without a single ablation because Keller Jordan swears by it.",
]

ROLE_MODEL_NEGATIVE = [
    "Met Yann LeCun at NeurIPS and talked about JEPA.",
    "Cited the Hinton paper in the related-work section.",
    "Attended a talk by Fei-Fei Li on spatial intelligence.",
    "I did not copy Karpathy's setup; I wrote my own loader.",
    "This is not just imitating DeepMind, the eval is ours.",
    "I never copied OpenAI here.",
    "Copied the config from the baseline repo.",
    "Did it the way we always do it.",
    "Logged everything like I do every week.",
    "Read Karpathy's blog post on tokenizers.",
    "Kept AdamW because it's the default in PyTorch.",
    "Compared our loader with the one Karpathy describes and kept ours.",
    # a negation reaches a reason from further back
    "I didn't copy the Whisper decoding setup just because OpenAI used it; ours won on WER.",
    "Moved to the new checkpoint after it won the blind test, not because it's Meta's.",
    "Switched because Priya's benchmark showed a 2-point WER gain.",
]


@pytest.mark.parametrize("update", ROLE_MODEL_POSITIVE)
def test_role_model_mimicry_fires_on_imitation(update: str) -> None:
    signals = analyze(GOAL, update)
    assert signals.role_model_mimicry
    assert signals.evidence["role_model_mimicry"]


@pytest.mark.parametrize("update", ROLE_MODEL_NEGATIVE)
def test_role_model_mimicry_ignores_mentions_and_negation(update: str) -> None:
    signals = analyze(GOAL, update)
    assert not signals.role_model_mimicry
    assert "role_model_mimicry" not in signals.evidence


def test_role_model_mimicry_is_found_in_the_moves_goal_answer() -> None:
    signals = analyze(GOAL, "Switched to AdamW.", moves_goal="because Karpathy does it")
    assert signals.role_model_mimicry


# --- idea-driven ---------------------------------------------------------------------------------

IDEA_POSITIVE = [
    "A new paper did speculative decoding with draft heads, I can do it better.",
    "A new paper did speculative decoding with draft heads. I think I can do it better.",
    "Saw an arXiv paper on sparse attention and want to beat it.",
    "Trying to improve on the SOTA from the Whisper-v3 paper.",
    "Plan: reproduce and extend the latest paper from Meta.",
    "Everyone is working on test-time compute, so I started on it too.",
    "We got scooped on the tokenizer-free idea.",
    "Jumped on the agents bandwagon this week.",
    "Trying to claim a new SOTA on the public benchmark.",
    "Another team posted exactly our idea last night.",
    "Everyone at the lab is switching to diffusion, so I did too.",
    "Reimplementing the latest viral paper to see what the fuss is about.",
    # the crowd
    "Everyone on Twitter is raving about test-time training, so I started a prototype.",
    "The whole vision community switched to state-space models, so we did too.",
    "Our lab moved to JEPA because that's what everyone else is doing.",
    "Spent the week on Gaussian splatting since it's all over my feed.",
    "Tried a new optimizer because people keep posting about it.",
    "Switched to graph transformers since all the other startups are using them.",
    # novelty or hype as the reason
    "Swapped our encoder for Mamba because it's the hot thing right now.",
    "The new video model looked so cool, so I spent Friday generating clips with it.",
    "Couldn't resist the new reasoning model release and spent two days prompting it.",
    "Jumped on the new state-space paper and ported it to our stack.",
    "Moved our work to agents because that's where all the excitement is.",
    "Picked the topic because it sounds impressive.",
    "Pivoted to synthetic data after the big announcement.",
    # the race
    "I want to publish on LLM agents before the topic gets crowded.",
    "Spent days tuning to edge past the number in a rival's preprint.",
    # ... and with no reason of the member's own, the crowd still counts
    "Everyone's excited about the new ASR release, so I switched our recognizer to it.",
    "Tried the decoder everyone's talking about because it is trending.",
    "Everyone's bolting a language model onto their recogniser, so I did too.",
    "Speech LLMs are the reviewer fashion this cycle, so we added one to the paper.",
    "The grant call wants multilingual demos, so I built one for Spanish.",
    "That viral clip of a zero-shot recogniser got me, so I tried it on our audio.",
    "Chased that paper claiming end-to-end beats cascades everywhere.",
]

IDEA_NEGATIVE = [
    "Read a paper for the baseline and set up the clinic eval.",
    "Ran the baseline from the Whisper paper on our clinic audio; WER is 18%.",
    "Read the paper to get the baseline; will try to beat the baseline next week.",
    "I'm not trying to beat the SOTA, just our own WER target.",
    "Nobody is working on clinic audio, which is why it matters.",
    "We did not get scooped after all.",
    "Everyone is excited about agents; we are not, and kept labelling clinic audio.",
    "Reproduced the latest Whisper paper as a baseline on clinic audio.",
    "Our own state-of-the-art baseline still wins on clinic-test.",
    "Despite the hype around agents, we stayed on the clinic WER.",
    "Since everyone was on holiday, I cleaned the evaluation code.",
    "Jumped on a call with the nurses to review the mislabelled clips.",
    "Because it was popular with the nurses, we kept the old transcription tool.",
    "Tried the new tokenizer because our error analysis showed split drug names.",
    "I was curious whether more augmentation helps our recall, so I ran three strengths.",
    "Our model beats the competing baselines on clinic-test.",
    "Moved our jobs to the new cluster because the old one was retired.",
    "Started a new side project because it looked fun.",
    # the crowd named, but the member's own reason or check decides
    "The new diarization model is all over Twitter, but I checked: no gain on clinic audio.",
    "Everyone's excited about the new ASR release; so I'm sticking with our tuned Conformer.",
    "Tried the decoder everyone's talking about because our latency is over budget.",
    "People keep posting about the new model, we ran it as a baseline on clinic-test.",
    "Read up on the agentic hype, not worth it for our latency budget, so skipping.",
    "Read the whole speech-LLM hype thread and decided, deliberately, not to go there.",
    "The multimodal bandwagon noted and deliberately ignored; fixed drug-name errors instead.",
]


@pytest.mark.parametrize("update", IDEA_POSITIVE)
def test_idea_driven_fires_on_chasing_the_literature(update: str) -> None:
    signals = analyze(GOAL, update)
    assert signals.idea_driven
    assert signals.evidence["idea_driven"]


@pytest.mark.parametrize("update", IDEA_NEGATIVE)
def test_idea_driven_ignores_neutral_paper_mentions(update: str) -> None:
    signals = analyze(GOAL, update)
    assert not signals.idea_driven


# --- failure -------------------------------------------------------------------------------------

FAILURE_POSITIVE = [
    "The run tanked after 2k steps.",
    "Hit a wall with the data pipeline.",
    "We pulled the plug on the RL fine-tune.",
    "The distillation trick didn't work.",
    "The model failed to converge.",
    "Abandoned the multilingual branch.",
    "Dropped the project after the review.",
    "Synthetic data turned out to be a dead end.",
    "Gave up on the custom CUDA kernel.",
    "Got scooped by a Google paper.",
    "No improvement after three days of tuning.",
    "The whole project stalled.",
    "Couldn't reproduce their numbers.",
    "The pronunciation-lexicon idea came to nothing.",
    # a reason of the member's own sets a trend aside, never a failure
    "The LM run tanked because my learning rate was off.",
    "Three weeks without any gains, so I'm binning it.",
    "The data-sharing plan fell through.",
    "The streaming model never converged.",
    "The beam-search rewrite didn't pan out for short utterances at all.",
    "After two days I gave up and went back to the old decoder.",
    "The kiosk prototype was quietly unplugged on Friday.",
    "The denoiser went sideways after the first epoch.",
    "The streaming model never beat the offline baseline.",
]

FAILURE_NEGATIVE = [
    "Looked at failure cases of the recognizer.",
    "Fixed the failing unit tests.",
    "No failures this week, all runs finished.",
    "Nothing failed.",
    "Spent the day analysing failure modes.",
    "WER dropped 2 points on clinic-test.",
    "I didn't abandon the idea, just paused it.",
    "We never hit a wall with the loader.",
    "I didn't work on the RL project this week.",
    "The unit tests failed until I fixed the fixture.",
    "Nothing failed, but the loss curve looks odd.",
    "Collapsed the rare speaker labels into one class.",
    "Dropped it to 1e-4 and training was stable.",
    "No setbacks; nothing came to nothing this week.",
    "Did a failure-mode breakdown of the worst clinic visits.",
    "The pilot does nothing for our WER but pays for the GPUs.",
    "I didn't work for the other team this week.",
]


@pytest.mark.parametrize("update", FAILURE_POSITIVE)
def test_failure_fires_on_failed_or_dropped_work(update: str) -> None:
    signals = analyze(GOAL, update)
    assert signals.failure
    assert signals.evidence["failure"]


@pytest.mark.parametrize("update", FAILURE_NEGATIVE)
def test_failure_ignores_failure_analysis_and_negation(update: str) -> None:
    signals = analyze(GOAL, update)
    assert not signals.failure
    assert "failure" not in signals.evidence


@pytest.mark.parametrize(
    "failed", ["the distillation run", "No, the RL branch", "everything failed", "LoRA sweep"]
)
def test_failed_field_naming_something_is_a_failure(failed: str) -> None:
    signals = analyze(GOAL, "Cleaned up the eval code.", failed=failed)
    assert signals.failure
    assert signals.evidence["failure"] == failed


@pytest.mark.parametrize(
    "failed",
    [
        "",
        "   ",
        "nothing",
        "Nothing.",
        "none",
        "None this week",
        "n/a",
        "N/A",
        "-",
        "\u2014",
        "no",
        "nope",
        "nothing failed",
        "all good",
        "not really",
    ],
)
def test_failed_field_saying_nothing_is_not_a_failure(failed: str) -> None:
    signals = analyze(GOAL, "Cleaned up the eval code.", failed=failed)
    assert not signals.failure


# --- goal alignment ------------------------------------------------------------------------------

ON_GOAL = "Fine-tuned the recognizer on 20 hours of noisy clinic audio; WER on clinic-test fell."
OFF_GOAL = "Refactored the plotting scripts and read about diffusion for images."


def test_on_goal_update_scores_higher_than_off_goal() -> None:
    on, off = analyze(GOAL, ON_GOAL), analyze(GOAL, OFF_GOAL)
    assert on.goal_alignment > off.goal_alignment
    assert on.aligned
    assert not off.aligned
    assert "clinic" in on.evidence["aligned"]
    assert "aligned" not in off.evidence


@pytest.mark.parametrize("goal", [None, "", "   "])
def test_no_goal_means_no_alignment(goal: str | None) -> None:
    signals = analyze(goal, ON_GOAL, moves_goal="Lower WER on the clinic set")
    assert signals.goal_alignment == 0.0
    assert not signals.aligned


def test_meaningful_moves_goal_answer_is_strong_evidence() -> None:
    update = "Rewrote the data loader."
    answered = analyze(GOAL, update, moves_goal="Faster iteration means more sweeps per day")
    empty = analyze(GOAL, update)
    assert answered.goal_alignment > empty.goal_alignment
    assert answered.aligned
    assert not empty.aligned


@pytest.mark.parametrize("answer", ["", "n/a", "nothing", "-", "not sure", "idk"])
def test_empty_moves_goal_answers_add_nothing(answer: str) -> None:
    update = "Rewrote the data loader."
    assert analyze(GOAL, update, moves_goal=answer).goal_alignment == 0.0


def test_moves_goal_answer_that_denies_it_is_weak() -> None:
    update = "Rewrote the data loader."
    denial = analyze(GOAL, update, moves_goal="It doesn't, just curiosity about prefetching")
    real = analyze(GOAL, update, moves_goal="Faster iteration means more sweeps per day")
    assert denial.goal_alignment < real.goal_alignment
    assert not denial.aligned


def test_work_for_someone_else_is_not_aligned_even_with_the_goal_words() -> None:
    own = analyze(GOAL, "Cleaned noisy clinic audio for the transcription model.")
    theirs = analyze(GOAL, "Cleaned noisy clinic audio for the marketing team's podcast app.")
    assert own.aligned and not theirs.aligned
    assert theirs.goal_alignment < own.goal_alignment


def test_the_goals_own_beneficiary_does_not_count_as_someone_else() -> None:
    assert rules_module.elsewhere(GOAL, "Relabelled 300 clips for the clinic team.") is None
    assert rules_module.elsewhere(GOAL, "Built a demo for the sales team.") is not None


def test_stepping_away_from_the_goal_is_not_aligned() -> None:
    update = "Did not get to the clinic audio this week; I was reviewing papers instead of it."
    assert not analyze(GOAL, update).aligned


def test_a_measured_change_counts_as_progress_on_the_goal() -> None:
    assert analyze(GOAL, "Error rate went from 19% to 16% after the fix.").aligned
    assert not analyze(GOAL, "Tidied the scripts after the fix.").aligned


def test_idea_driven_work_is_not_aligned_even_with_the_goal_words() -> None:
    update = "Jumped on the hype and started a clinic audio paper of my own."
    assert analyze(GOAL, update).idea_driven and not analyze(GOAL, update).aligned


def test_alignment_uses_stemming() -> None:
    signals = analyze(
        "Robust recognition of noisy transcriptions", "recognizers for noise transcribe"
    )
    assert signals.aligned


@pytest.mark.parametrize(
    ("update", "moves_goal"),
    [
        (ON_GOAL, "Lower clinic WER, more reliable transcription of noisy audio"),
        (OFF_GOAL, ""),
        ("", ""),
        (GOAL * 20, GOAL),
    ],
)
def test_alignment_is_clamped_and_consistent(update: str, moves_goal: str) -> None:
    signals = analyze(GOAL, update, moves_goal=moves_goal)
    assert 0.0 <= signals.goal_alignment <= 1.0
    assert signals.aligned == (signals.goal_alignment >= ALIGNED_THRESHOLD)


# --- the Signals contract ------------------------------------------------------------------------


def test_plain_update_fires_nothing() -> None:
    signals = analyze(GOAL, ON_GOAL, moves_goal="Lower clinic WER", failed="nothing")
    assert (signals.role_model_mimicry, signals.idea_driven, signals.failure) == (
        False,
        False,
        False,
    )
    assert set(signals.evidence) == {"aligned"}


def test_evidence_is_read_only() -> None:
    signals = analyze(GOAL, "The run tanked.")
    with pytest.raises(TypeError):
        signals.evidence["failure"] = "x"  # type: ignore[index]


@pytest.mark.parametrize(("alignment", "aligned"), [(1.5, True), (-0.1, False), (0.9, False)])
def test_signals_reject_inconsistent_values(alignment: float, aligned: bool) -> None:
    with pytest.raises(ValueError):
        Signals(alignment, aligned, False, False, False, {})


def test_docstring_examples() -> None:
    for module in (rules_module, signals_module, cues, idea_cues, goal_cues, negation):
        assert doctest.testmod(module).failed == 0
