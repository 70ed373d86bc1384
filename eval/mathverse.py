"""MathVerse (Zhang et al., ECCV 2024, arXiv 2403.14624): loader, official prompts, scoring per problem version.

Each of the 788 testmini problems comes in five versions (Text Dominant, Text Lite, Vision Intensive, Vision
Dominant, Vision Only; plus a text-only config). Prompts are the dataset's own ``query_cot`` (chain of
thought, the default) or ``query_wo`` fields.

Official scoring (``evaluation/score_answer_s2.py``) is two GPT calls (extract, then judge 0/1). What we
reproduce without a judge:
- ``official``: a given ``judgement`` counts as right only when it equals 1 (``judgement == 1`` in Python: 1,
  1.0 and True do, the string "1" does not); without one, the official ``--quick_match`` rule
  ``answer == extraction`` (exact strings, no stripping) on a given ``extraction``; a file with neither
  (the README's "step 1 is optional" path) uses the raw response as the extraction.
- ``rules``: ``mmagrae.verifiers.verify`` on the raw response; for multiple choice, a stated letter ("So the
  correct option is D.") first (:func:`eval.rules.choice_verdict`), and the options read from the question
  text (``A: ...`` / ``(A) ...`` lines after "Choices").
Tables (:func:`official_tables`): the official script keys accuracy by subject, then subfield, so a subfield
name shared by two subjects ("Length", "Area", "Applied") is two cells; and by problem version. It reads the
subject from ``category`` (its own key) or, as files written from the dataset have it, ``metadata``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.loaders import image_paths, load_hub, read_local_rows
from eval.registry import Benchmark, SampleVerdict, rules_verdict

HF_DATASET_ID = "AI4Math/MathVerse"
SPLITS = ("testmini", "testmini_text_only")
VERSIONS = ("Text Dominant", "Text Lite", "Vision Intensive", "Vision Dominant", "Vision Only")
_OPTION_LINE = re.compile(r"^\s*\(?([A-H])\s*[):.：]\s*(.*?)\s*$")  # an empty option ("E:") keeps its place


def parse_choices(question: str) -> list[str] | None:
    """Option texts from ``Choices:\\nA:3\\nB:4`` or ``Choice:\\nA. True`` (None when the question lists none)."""
    options = _choices(question)  # read once per question, not once per sampled response
    return list(options) if options else None


@functools.lru_cache(maxsize=4096)
def _choices(question: str) -> tuple[str, ...]:
    tail = re.split(r"Choices?\s*:", question, maxsplit=1, flags=re.I)
    if len(tail) < 2:
        return ()
    options: list[str] = []
    for line in tail[1].splitlines():
        m = _OPTION_LINE.match(line)
        if m and ord(m.group(1)) - ord("A") == len(options):
            # "15*\degree" is 15°, and "$\hline 0$" is 0: table markup left in some options
            options.append(_DEGREE.sub("°", m.group(2)).replace("\\hline", "").strip())
    return tuple(options)


_DEGREE = re.compile(r"\s*\*?\s*\\degree(?![a-zA-Z])")


def load(split: str = "testmini", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """MathVerse rows: Hub (``AI4Math/MathVerse``, config = split), Parquet, or the repository JSON layout (a
    list of items; ``image`` relative to the JSON file's folder, e.g. ``images/...``)."""
    if source is None:
        try:  # the Hub copy names both configs' split "testmini"; accept either naming
            rows = load_hub(HF_DATASET_ID, "testmini", name=split)
        except ValueError:
            rows = load_hub(HF_DATASET_ID, split, name=split)
        root = None
    else:
        rows, root = read_local_rows(source, split)
    out = []
    for r in rows[:limit]:
        r = dict(r)
        image = r.get("image")
        if root is not None:
            r["images"] = image_paths(root, image)
        else:
            r["images"] = [image] if image is not None and not isinstance(image, str) else []
        r["id"] = str(r["sample_index"])
        out.append(r)
    return out


def prompt(row: Mapping[str, Any], *, cot: bool = True) -> str:
    return row.get("query_cot" if cot else "query_wo") or row["question"]


def official_verdict(row: Mapping[str, Any], response: str | None = None) -> SampleVerdict:
    """The official verdict: a given ``judgement`` (right iff ``== 1``), else quick match on ``extraction``."""
    given = given_verdict(row)  # Python's ==: "1" != 1
    if given is not None:
        return SampleVerdict(row.get("extraction"), given)
    extraction = row.get("extraction")
    if extraction is None:
        extraction = response if response is not None else row.get("model_answer")
    return SampleVerdict(extraction, extraction is not None and row["answer"] == extraction)


def given_verdict(row: Mapping[str, Any]) -> bool | None:
    """The file's GPT ``judgement`` as the official script counts it (right iff ``== 1``), None without one."""
    judgement = row.get("judgement")
    if judgement is None:
        return None
    return not isinstance(judgement, str) and judgement == 1


_SEVERAL_LETTERS = re.compile(r"[A-H](?:[ \t]*[\n,;&][ \t\n]*[A-H])+")  # linear on blank runs
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")  # words, not LaTeX commands
_WORD_GOLD = re.compile(r"[A-Za-z]{2,}(?: [A-Za-z]+){0,2}")  # a free-form gold in words: "even", "neither", "Yes"
_STATEMENT_PROMPT = re.compile(r"^\s*(?i:complete the statement)\s*[.:]?\s*")


def _sentence_key(text: str) -> str:
    """A sentence gold or response compared as a judge reads it: case, spacing, markup and end punctuation
    ignored ("(0, 0)" is "(0,0)")."""
    text = re.sub(r"[$*`]|\\[()]|\.(?=\s|$)", "", text.lower())
    return re.sub(r"\s+", "", text)


def _sentence_states(response: str, sentence: str) -> bool:
    """Whether the response's last line states ``sentence`` (compared by :func:`_sentence_key`), not followed by
    more of a number or word ("… is 50" does not state "… is 5"), and without a negation or an "or" the
    sentence does not have."""
    lines = [line for line in response.strip().splitlines() if line.strip()]
    if not lines:
        return False
    line, key = lines[-1], _sentence_key(sentence)
    text = _sentence_key(line)
    at = text.find(key)
    if at < 0 and len(text) >= 8 and key.endswith(text) \
            and set(re.findall(r"\d+", key)) <= set(re.findall(r"\d+", text)):
        at, key = 0, text  # "5 units away from the point (0, 0)": the completed end, with every value
    if at < 0 or (at + len(key) < len(text) and text[at + len(key)].isalnum()):
        return False
    extra = re.compile(r"(?i)\b(?:not|no|never|false|or)\b|n't")
    return len(extra.findall(line)) <= len(extra.findall(sentence))


_LOST_FRAC = re.compile(r"^\s*\{(\d+)\}\{(\d+)\}")


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        return official_verdict(row, response if response else None)
    if mode == "judge" and extractor is not None:
        extraction = extractor({**row, "response": response})
        return SampleVerdict(extraction, extraction is not None and extraction.strip() == row["answer"].strip())
    from eval.asked import drop_question_echo
    from eval.rules import judged_text

    response = judged_text(response)  # a reasoner's answer left inside <think>: a judge reads it
    response = drop_question_echo(response, str(row.get("question", "")))  # "49.\nIn the figure above, … ?"
    if row.get("question_type") == "multi-choice":
        from eval.rules import choice_verdict, letters_verdict

        choices = parse_choices(str(row.get("question", "")))
        if _SEVERAL_LETTERS.fullmatch(str(row["answer"]).strip()):  # "C\nD": "Choose 2 answers"
            return letters_verdict(response, str(row["answer"]), len(choices) if choices else None)
        return choice_verdict(response, str(row["answer"]), choices)
    from eval.gold_forms import parts_verdict, piecewise_verdict
    from mmagrae.verifiers.endings import drop_trailing_note

    gold = str(row["answer"])
    stated = drop_trailing_note(response)  # a closing "Let me verify: … increasing-then-decreasing …" is no part
    parts = parts_verdict(stated, gold)  # "domain: [-4, 0) and range: (-3, 1]"
    if parts is None:
        parts = piecewise_verdict(stated, gold)  # "When x<=3 $f(x)=-x+1$, when x>3, $f(x)=x-5$"
    if parts is not None:
        return parts
    if len(_WORD.findall(gold)) >= 6:  # "Complete the statement.Every point on the circle is exactly 5 units …"
        stated = _sentence_states(response, _STATEMENT_PROMPT.sub("", gold))
        return SampleVerdict(gold if stated else None, stated)
    repaired = _LOST_FRAC.sub(r"\\frac{\1}{\2}", gold)  # "{8}{5} \pi": a \frac lost in the data
    asked = _asked_value(str(row.get("question", "")), response)
    if asked is not None:  # "So b = 36.4°, and the other acute angle is 53.6°." for "Find … the angle marked b"
        return rules_verdict(asked, repaired)
    verdict = rules_verdict(response, gold)
    if not verdict.correct and repaired != gold:
        return rules_verdict(response, repaired)
    if not verdict.correct and _WORD_GOLD.fullmatch(gold.strip()) and _states_word(response, gold.strip()):
        return SampleVerdict(gold.strip(), True)  # "even": "So the function is even."
    return verdict


def _asked_value(question: str, response: str) -> str | None:
    """The response up to its last sentence's statement of the quantity the question asks for, when another
    quantity's statement follows it there (:mod:`eval.asked`) and the response marks no answer of its own (a box,
    an answer tag or phrase); None when rules mode reads the response as before."""
    from eval.asked import asked_quantity, stated_for
    from mmagrae.verifiers.extraction import extract

    quantity = asked_quantity(question)
    end = stated_for(quantity, response) if quantity is not None else None
    if end is None:
        return None
    if extract(response).method in ("boxed", "answer_tag", "phrase", "hedged", "undecided"):
        return None  # the response marks its answer
    return response[:end]


def _states_word(response: str, word: str) -> bool:
    """Whether the response's last sentence ends by stating ``word`` (a free-form gold in words): "So the function
    is even.", "the function is neither (even nor odd).", "so the series converges."; not when the sentence negates,
    doubts or offers another ("is either even or odd", "probably even", "odd, even though …", "cannot be even").

    >>> _states_word("f(-x) = f(x) for all x, so the function is even.", "even")
    True
    >>> [_states_word(r, "even") for r in ("It is odd, even though it looks symmetric.", "It is probably even.",
    ...                                   "It is either even or odd.", "Is it even?")]
    [False, False, False, False]
    """
    from eval.rules import _last_sentence

    last = _last_sentence(response).strip().rstrip(" *")
    if not last or last.endswith(("?", "？")):
        return False
    stated = re.search(  # "… is even.", "… is neither even nor odd.", or the word closing it: "the series converges."
        r"(?i)(?:^|\s)(?:an?\s+|the\s+)?" + re.escape(word)
        + (r"(?:\s+\w+\s+nor\s+\w+)?" if word.lower() == "neither" else "")
        + r"(?:\s+(?:function|one|answer))?\s*[.!]?$", last)
    if stated is None:
        return False
    said = last[: stated.start()] + " " + last[stated.end():]  # the gold's own "no", "neither", "nor" are no doubt
    return _WORD_DOUBT.search(said) is None


_WORD_DOUBT = re.compile(
    r"(?i)\b(?:not|no|never|neither|nor|either|or|maybe|perhaps|probably|possibly|might|could|cannot|think|believe|"
    r"guess|unsure|whether|if|unless|seems?|appears?|looks?|rather|than|instead|versus|vs)\b|n't\b"
)


def subject_subfield(row: Mapping[str, Any]) -> tuple[str, str]:
    """``(subject, subfield)`` from ``category`` (the official script's key) or ``metadata`` (the dataset's)."""
    meta = row.get("category") if isinstance(row.get("category"), Mapping) else row.get("metadata")
    if isinstance(meta, str):  # VLMEvalKit stores the dict as its Python repr
        from eval.formats import parse_literal

        meta = parse_literal(meta)
    meta = meta if isinstance(meta, Mapping) else {}
    return str(meta.get("subject", "")), str(meta.get("subfield", ""))


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    subject, subfield = subject_subfield(row)
    return {"problem_version": row.get("problem_version", ""), "subject": subject,
            "subfield": f"{subject}-{subfield}"}


def _acc3(right: int, total: int) -> str:
    return f"{right / total:.3f}"


def official_tables(rows: Sequence[Mapping[str, Any]], correct: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """The official script's two tables from the first sample of each row, in its first-seen order.

    ``subjects[subject]`` has ``correct``/``total``/``accuracy`` (the script prints a fraction with three
    decimals, e.g. "0.500") and ``subfields[subfield]`` the same per (subject, subfield) cell; ``versions``
    per problem version; ``total`` over all rows ("Total Acc" and "Acc" are the same counts).
    """
    cells: dict[str, dict[str, list[int]]] = {}
    versions: dict[str, list[int]] = {}
    for row, samples in zip(rows, correct, strict=True):
        right = int(bool(samples[0])) if samples else 0
        subject, subfield = subject_subfield(row)
        cell = cells.setdefault(subject, {}).setdefault(subfield, [0, 0])
        cell[0] += right
        cell[1] += 1
        v = versions.setdefault(str(row.get("problem_version", "")), [0, 0])
        v[0] += right
        v[1] += 1
    subjects = {}
    for subject, fields in cells.items():
        c, t = sum(x[0] for x in fields.values()), sum(x[1] for x in fields.values())
        subjects[subject] = {"accuracy": _acc3(c, t), "correct": c, "total": t,
                             "subfields": {f: {"accuracy": _acc3(fc, ft), "correct": fc, "total": ft}
                                           for f, (fc, ft) in fields.items()}}
    c, t = sum(v[0] for v in versions.values()), sum(v[1] for v in versions.values())
    return {"subjects": subjects,
            "versions": {k: {"accuracy": _acc3(vc, vt), "correct": vc, "total": vt} for k, (vc, vt) in versions.items()},
            "total": {"accuracy": _acc3(c, t) if t else "0.000", "correct": c, "total": t}}


BENCHMARK = Benchmark(name="mathverse", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, extra_scores=official_tables, modes=("official", "rules", "judge"),
                      given_verdict=given_verdict)
