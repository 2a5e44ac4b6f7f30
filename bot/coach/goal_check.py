"""Whether a goal is worth coaching: it names a capability, and a number that can be measured.

The vague words are reviewed data (``prompts/cues/vague_goal.yaml``); what is left here is how
they are weighed. Precision first: only a clearly vague answer is questioned, so anything that
names something measurable passes, however it is worded.

>>> vague_capability("do cool stuff with LLMs"), vague_capability("Robot arm that folds laundry")
(True, False)
>>> unmeasurable("vibes"), unmeasurable("WER on clinic-50")
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.analysis.cuebook import cue_book
from bot.analysis.phrases import Token, cached_tokens
from bot.analysis.reading import content_words

__all__ = ["MEASURABLE", "MIN_CAPABILITY_WORDS", "measurable", "unmeasurable", "vague_capability"]

MIN_CAPABILITY_WORDS = 2  # words of substance, besides vague ones, that name a capability

# Words that make a number measurable whatever else it says: what is counted, rated, timed or
# scored ("success rate", "WER", "latency (ms)"). A digit, "%" or "@" (pass@k, recall@10) does too.
_MEASURABLE_WORDS = """
    rate rates ratio accuracy acc score scores error errors loss losses wer cer per bleu rouge
    rougel chrf comet meteor bertscore latency ms millisecond milliseconds second seconds sec
    minutes hours time throughput fps hz percent percentage count counts number fraction
    proportion auroc auc auprc roc reward rewards return returns success precision recall mae mse
    rmse mape perplexity ppl nll likelihood elo winrate iou miou map dice ndcg mrr hits em
    exact correlation pearson spearman kendall kappa agreement fid psnr ssim lpips cost dollars
    memory gb mb tokens flops energy watts kwh distance mm cm meters steps episodes solved solve
    percentile brier ece likert rating ratings rank ranking speedup bpb bpc bits uptime
"""
MEASURABLE = frozenset(_MEASURABLE_WORDS.split())
_MEASURABLE_MARKS = frozenset({"%", "@", "$", "#"})


def _uncovered(tokens: Sequence[Token], key: str) -> tuple[bool, list[Token]]:
    """Whether cue ``key`` of the vague_goal signal fired, and the words no match of it covers."""
    matches = [m for m in cue_book().signal("vague_goal").find(tokens) if m.key == key]
    covered = {i for m in matches for i in range(m.first, m.last + 1)}
    return bool(matches), [t for i, t in enumerate(tokens) if i not in covered]


def vague_capability(text: str) -> bool:
    """Whether a capability names no capability: a vague phrase and fewer than two words of
    substance besides it, or no word of substance at all.

    >>> [vague_capability(t) for t in ("research", "make progress", "stuff", "be better at ML")]
    [True, True, True, True]
    >>> vague_capability("Transcribe clinic audio reliably")
    False
    >>> vague_capability("Make progress on protein folding with diffusion models")
    False
    """
    tokens = cached_tokens(text)
    if not content_words(tokens):
        return True
    fired, rest = _uncovered(tokens, "vague_capability")
    return fired and len(content_words(rest)) < MIN_CAPABILITY_WORDS


def measurable(text: str) -> bool:
    """Whether a number's name says what is measured: a measurable word, a digit, % or @.

    >>> [measurable(t) for t in ("WER", "pass@1", "latency (ms)", "success rate", "vibes")]
    [True, True, True, True, False]
    """
    return any(
        t.text in MEASURABLE or t.text in _MEASURABLE_MARKS or any(c.isdigit() for c in t.text)
        for t in cached_tokens(text)
    )


def unmeasurable(text: str) -> bool:
    """Whether a number cannot be measured: only vague words, nothing measurable.

    >>> [unmeasurable(t) for t in ("progress", "make it better", "how good it feels", "impact")]
    [True, True, True, True]
    >>> [unmeasurable(t) for t in ("quality score from three raters", "progress on ARC tasks")]
    [False, False]
    """
    if measurable(text):
        return False
    fired, rest = _uncovered(cached_tokens(text), "vague_number")
    return fired and not content_words(rest)
