"""We-Math (Qiao et al., 2024, arXiv 2407.01284): loader, prompt, string-match extraction and the
four-dimensional metrics.

Problems come in composites: an ``ID`` groups the one-step sub-problems (``key`` ``2steps_1``, ``2steps_2`` or
``3steps_1..3``) with the multi-step problem (``2steps_multi`` / ``3steps_multi``). Per composite, with the
sub-problem verdicts s_1..s_k and the multi-step verdict m (the official ``four_dimensional_metrics.py``,
re-implemented):

- IK (insufficient knowledge): some s_i wrong and m wrong.
- IG (inadequate generalisation): every s_i right and m wrong.
- CM (complete mastery): strict, every s_i right and m right; loose, some s_i right and m right.
- RM (rote memorisation): strict, some s_i wrong and m right; loose, every s_i wrong and m right.
- Rates: IK, IG, CM over N; RM over CM + RM. Score = (N − 0.5·IG − RM − IK) / N, strict and loose.

What the official script does, and :func:`four_dimensional` with it:

- N is hard-coded to 525 (the testmini size), whatever the file holds (``by_composites_found`` repeats the
  rates over the composites actually joined, for subsets).
- Composites are the rows keyed ``2steps_1`` / ``3steps_1``, left-joined on ``ID`` with the other
  sub-problems and then the multi-step row. A composite without its ``_1`` row does not exist; a missing
  ``_2``/``_3``/``multi`` row is NaN, which is neither ``== True`` nor ``== False``, so it counts in no class
  that tests it (a missing multi-step row: in none at all) and is skipped by the S1/S2/S3 means; a duplicated
  row multiplies the joined rows, as pandas' merge does.
- ``accuracy.py``: S1 is the mean over the joined one-step verdicts, S2/S3 over the joined multi-step ones;
  the per-domain columns (with the official ``knowledge_structure_nodes.json``, see
  :func:`set_knowledge_nodes`) average per-concept accuracies over the nodes of each ``root2`` domain.
- Everything is printed with Python's ``"{:.2%}"`` (``official`` and ``accuracy`` keep those strings).

Official extraction (string matching): the text after the last ``Answer``, stripped of ``<``, ``>``, ``:``,
``.``; its first character if it is one of A-H. Rules mode reads a letter that opens the text after
the last ``Answer`` marker ("<Answer>: A. 3 cm", "<C> because 8"), else a stated letter ("the correct option
is D"), else gives ``mmagrae.verifiers.verify`` that text (the whole response when there is no marker), so
"<Answer>: <(B) 400, 300>" or a ``\boxed{B}`` count too.

    >>> official_extract("<Thought process>: ... <Answer>: <B>")
    'B'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.loaders import image_paths, load_hub, read_local_rows
from eval.registry import Benchmark, SampleVerdict
from mmagrae.preflight import UserError

HF_DATASET_ID = "We-Math/We-Math"
SPLITS = ("testmini",)
PROMPT = (
    "Now, we require you to solve a multiple-choice math question. Please briefly describe your thought process "
    "and provide the final answer(option).\nQuestion: {question}\nOption: {option}\n"
    "Regarding the format, please answer following the template below, and be sure to include two <> symbols:\n"
    "<Thought process>: <<your thought process>> <Answer>: <<your option>>"
)
_STRIP = re.compile(r"[<>:.]")


def official_extract(response: str) -> str | None:
    tail = _STRIP.sub("", response.split("Answer")[-1].strip()).strip()
    return tail[0] if tail and tail[0] in "ABCDEFGH" else None


def parse_options(option: str) -> list[str]:
    """``"A. 3;B. 4; C. 5"`` -> ``["3", "4", "5"]``; ``"A. ①; ③;B. ②"`` -> ``["①; ③", "②"]``
    (cut at the option markers, see :func:`eval.rules.split_options`)."""
    return list(_options(option))  # read once per row, not once per sampled response


@functools.lru_cache(maxsize=4096)
def _options(option: str) -> tuple[str, ...]:
    from eval.rules import split_options

    return tuple(split_options(option))


def load(split: str = "testmini", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """We-Math rows: Hub, Parquet, or the repository layout (``testmini.json``: a list of items with
    ``image_path`` relative to the JSON file's folder). ``limit`` keeps whole composites (by ``ID``)."""
    if source is None:
        rows = load_hub(HF_DATASET_ID, split)
        root = None
    else:
        rows, root = read_local_rows(source, split)
        if root is not None:
            use_nodes_beside(root)
    out, ids = [], []
    for r in rows:
        r = dict(r)
        if limit is not None and r["ID"] not in ids and len(ids) >= limit:
            continue
        if r["ID"] not in ids:
            ids.append(r["ID"])
        image = r.get("image")
        r["images"] = image_paths(root, r.get("image_path")) if root is not None else ([image] if image else [])
        r["id"] = f"{r['ID']}|{r['key']}"
        out.append(r)
    return out


def prompt(row: Mapping[str, Any]) -> str:
    return PROMPT.format(question=row["question"], option=row["option"])


def given_verdict(row: Mapping[str, Any]) -> bool | None:
    """The verdict a results file carries: VLMEvalKit's judged ``hit`` (:func:`vlmevalkit_hit`), else
    lmms-eval's ``acc_score`` (its reasoning task counts a composite's row right when it is exactly 1.0); None
    without either. Rules mode is measured against it; official mode uses only ``hit``.

    >>> given_verdict({"acc_score": 1.0}), given_verdict({"acc_score": 0.5}), given_verdict({})
    (True, False, None)
    """
    if (hit := vlmevalkit_hit(row)) is not None:
        return hit
    score = row.get("acc_score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        return score == 1.0
    return None


def vlmevalkit_hit(row: Mapping[str, Any]) -> bool | None:
    """VLMEvalKit's judged ``hit`` column, read as its We-Math scorer reads it (``df['hit'].astype(bool)``: an
    empty cell is NaN, which pandas makes True; "0"/"False" text as pandas would have parsed it); None when the
    file has no ``hit`` (the official We-Math string match then decides).

    >>> vlmevalkit_hit({"hit": 0}), vlmevalkit_hit({"hit": 1.0}), vlmevalkit_hit({"hit": None}), vlmevalkit_hit({})
    (False, True, True, None)
    """
    if "hit" not in row:
        return None
    hit = row["hit"]
    if isinstance(hit, str):
        text = hit.strip().lower()
        return text not in ("0", "0.0", "false")  # "" is NaN to pandas: True
    if isinstance(hit, float) and hit != hit:  # NaN
        return True
    return hit is None or bool(hit)


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        if (given := vlmevalkit_hit(row)) is not None:  # VLMEvalKit's judged file: its hit decides
            return SampleVerdict(official_extract(response), given)
        extracted = official_extract(response)
        return SampleVerdict(extracted, extracted is not None and extracted == row["answer"])
    if mode == "judge" and extractor is not None:
        extracted = extractor({**row, "response": response})
        return SampleVerdict(extracted, extracted == row["answer"])
    # The prompt asks for "<Answer>: <<option>>": the text after the last "Answer" marker is the answer
    # ("A. 3 cm", "<C> because 8", "31.4cm"; its decimal points kept), read before the rest of the response.
    from eval.asked import drop_question_echo
    from eval.rules import answer_tail, choice_verdict, judged_text

    response = judged_text(response)  # a reasoner's answer left inside <think>: a judge reads it
    response = drop_question_echo(response, str(row.get("question", "")))  # the question echoed after the answer
    return choice_verdict(response, str(row["answer"]), parse_options(row["option"]), tail=answer_tail(response))


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    steps = row["key"].split("_")[0]
    kind = "multi" if row["key"].endswith("multi") else "one-step"
    return {"steps": f"{steps} {kind}", "knowledge concept": row.get("knowledge concept", "")}


OFFICIAL_TOTAL = 525
"""The official scripts' hard-coded number of composites (the testmini size): every rate and score divides by it."""
NODES_FILE = "knowledge_structure_nodes.json"
_NAN = None  # a missing row after the official left joins: neither right nor wrong

_knowledge_nodes: list[tuple[str, str]] | None = None


def set_knowledge_nodes(source: str | Path | Sequence[Mapping[str, Any]] | None) -> list[tuple[str, str]] | None:
    """Use the official ``knowledge_structure_nodes.json`` (a list of nodes with ``full node`` and ``root2``)
    for the per-domain table; None clears it. Returns the ``(concept, domain)`` pairs, one per node."""
    global _knowledge_nodes
    if source is None:
        _knowledge_nodes = None
        return None
    where = "knowledge nodes"
    if isinstance(source, (str, Path)):
        import json

        path = where = Path(source)
        try:
            source = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError) as e:  # RecursionError: nested deeper than Python reads
            raise UserError(f"{path}: not a readable {NODES_FILE} ({' '.join(str(e).split())})") from None
    if not isinstance(source, Sequence) or isinstance(source, (str, bytes)):
        raise UserError(f"{where}: expected a JSON list of nodes with 'full node' and 'root2'")
    pairs = []
    for i, node in enumerate(source):
        if not isinstance(node, Mapping) or "full node" not in node or "root2" not in node:
            raise UserError(f"{where}: item {i}: needs 'full node' and 'root2'")
        pairs.append((str(node["full node"]).split("_")[-1], str(node["root2"])))
    _knowledge_nodes = pairs
    return pairs


def use_nodes_beside(folder: str | Path) -> None:
    """Use the official ``knowledge_structure_nodes.json`` in ``folder`` for the domain table, if it is there."""
    if (Path(folder) / NODES_FILE).exists():
        set_knowledge_nodes(Path(folder) / NODES_FILE)


def _official_pct(x: float | None) -> str:
    """Python's ``"{:.2%}"`` as the official scripts print it ("nan%" for an empty mean)."""
    return "nan%" if x is None else f"{x:.2%}"


def _mean(values: Sequence[bool | None]) -> float | None:
    """pandas' ``Series.mean()``: missing values skipped; None when nothing is left."""
    kept = [bool(v) for v in values if v is not _NAN]
    return sum(kept) / len(kept) if kept else None


def _joined(rows: Sequence[Mapping[str, Any]], correct: Sequence[Sequence[bool]], steps: int) -> list[list[Any]]:
    """The official ``process_steps_data``: rows with key ``{steps}steps_1`` left-joined on ID with each
    ``{steps}steps_i`` and then ``{steps}steps_multi``. Each joined row is ``[(verdict, concept)...]`` for
    sub-problems 1..steps and the multi-step problem; a missing partner is ``(None, None)``, and an ID that
    appears twice multiplies rows, as pandas' merge does."""
    by_key: dict[str, list[tuple[str, bool, Any]]] = {}
    for row, samples in zip(rows, correct, strict=True):
        key = str(row.get("key", ""))
        if f"{steps}steps" not in key:
            continue
        by_key.setdefault(key, []).append((str(row.get("ID")), bool(samples[0]) if samples else False,
                                           row.get("knowledge concept")))
    joined = [[(cid, ok, concept)] for cid, ok, concept in by_key.get(f"{steps}steps_1", [])]
    for part in [f"{steps}steps_{i}" for i in range(2, steps + 1)] + [f"{steps}steps_multi"]:
        index: dict[str, list[tuple[str, bool, Any]]] = {}
        for entry in by_key.get(part, []):
            index.setdefault(entry[0], []).append(entry)
        joined = [combo + [match] for combo in joined for match in (index.get(combo[0][0]) or [(None, _NAN, None)])]
    return [[(ok, concept) for _, ok, concept in combo] for combo in joined]


def four_dimensional(rows: Sequence[Mapping[str, Any]], correct: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """We-Math's metrics from the first sample of each row, as ``four_dimensional_metrics.py`` and
    ``accuracy.py`` compute them (see the module docstring), plus the same rates over the composites found.

    Returns ``counts`` (IK, IG, CM/RM strict and loose), ``strict``/``loose`` (score and rates in percent,
    2 decimals, over :data:`OFFICIAL_TOTAL`), ``official`` (the official CSV row, strings such as
    "12.34% (56)"), ``accuracy`` (the ``accuracy.py`` row: S1/S2/S3 and, with knowledge nodes set, one column
    per knowledge domain), ``S1``/``S2``/``S3`` as numbers, and ``by_composites_found`` (strict/loose rates
    over the composites actually joined, for subsets such as ``--limit``).
    """
    counts = dict.fromkeys(("IK", "IG", "CM_strict", "CM_loose", "RM_strict", "RM_loose"), 0)
    joined = {steps: _joined(rows, correct, steps) for steps in (2, 3)}
    for combos in joined.values():
        for combo in combos:
            subs, m = [ok for ok, _ in combo[:-1]], combo[-1][0]
            all_right = all(s is True for s in subs)
            any_right = any(s is True for s in subs)
            all_wrong = all(s is False for s in subs)
            any_wrong = any(s is False for s in subs)
            counts["IK"] += bool(any_wrong and m is False)
            counts["IG"] += bool(all_right and m is False)
            counts["CM_strict"] += bool(all_right and m is True)
            counts["CM_loose"] += bool(any_right and m is True)
            counts["RM_strict"] += bool(any_wrong and m is True)
            counts["RM_loose"] += bool(all_wrong and m is True)
    found = len(joined[2]) + len(joined[3])

    def fractions(n: int) -> dict[str, dict[str, float | None]]:
        """The rates as fractions, None where the official code would divide by zero."""
        out = {}
        for mode in ("strict", "loose"):
            cm, rm = counts[f"CM_{mode}"], counts[f"RM_{mode}"]
            out[mode] = {"score": (n - 0.5 * counts["IG"] - rm - counts["IK"]) / n if n else None,
                         "IK": counts["IK"] / n if n else None, "IG": counts["IG"] / n if n else None,
                         "CM": cm / n if n else None,
                         "RM": rm / (cm + rm) if cm + rm else None}  # official: ZeroDivisionError
        return out

    def rates(n: int) -> dict[str, dict[str, float | None]]:  # percent, 2 decimals
        return {mode: {k: None if v is None else round(100.0 * v, 2) for k, v in r.items()}
                for mode, r in fractions(n).items()}

    n = OFFICIAL_TOTAL
    official: dict[str, str] = {}  # the official CSV row: "{:.2%}" of the same fractions, with the counts
    for (mode, r), title in zip(fractions(n).items(), ("Strict", "Loose"), strict=True):
        official[f"Score ({title})"] = _official_pct(r["score"])
        official[f"InsufficientKnowledge ({title})"] = f"{_official_pct(r['IK'])} ({counts['IK']})"
        official[f"InadequateGeneralization ({title})"] = f"{_official_pct(r['IG'])} ({counts['IG']})"
        official[f"CompleteMastery ({title})"] = f"{_official_pct(r['CM'])} ({counts[f'CM_{mode}']})"
        official[f"RoteMemorization ({title})"] = f"{_official_pct(r['RM'])} ({counts[f'RM_{mode}']})"

    one_step = [(ok, concept) for steps in (2, 3) for combo in joined[steps] for ok, concept in combo[:-1]]
    s1 = _mean([ok for ok, _ in one_step])
    s2 = _mean([combo[-1][0] for combo in joined[2]])
    s3 = _mean([combo[-1][0] for combo in joined[3]])
    accuracy = {"One-step(S1)": _official_pct(s1), "Two-step(S2)": _official_pct(s2),
                "Three-step(S3)": _official_pct(s3)}
    if _knowledge_nodes is not None:
        accuracy.update(_domain_table(one_step, _knowledge_nodes))

    def pct(x: float | None) -> float:
        return round(100.0 * x, 2) if x is not None else 0.0

    return {"composites": found, "denominator": n, "counts": counts, **rates(n), "official": official,
            "accuracy": accuracy, "S1": pct(s1), "S2": pct(s2), "S3": pct(s3),
            "by_composites_found": rates(found)}


def _domain_table(one_step: Sequence[tuple[bool | None, Any]], nodes: Sequence[tuple[str, str]]) -> dict[str, str]:
    """``accuracy.py``'s domain columns: each node's concept accuracy (the mean over the one-step rows of that
    concept, one per node that names it), then the mean over the nodes of each domain, domains sorted by name."""
    node_count: dict[str, int] = {}
    for concept, _ in nodes:
        node_count[concept] = node_count.get(concept, 0) + 1
    per_concept: dict[str, list[bool | None]] = {}
    for ok, concept in one_step:
        if concept in node_count:  # unmatched concepts drop out of the groupby (NaN key)
            per_concept.setdefault(concept, []).extend([ok] * node_count[concept])
    concept_mean = {c: _mean(v) for c, v in per_concept.items()}
    domains: dict[str, list[bool | float | None]] = {}
    for concept, domain in nodes:
        domains.setdefault(domain, []).append(concept_mean.get(concept))
    out = {}
    for domain in sorted(domains):
        kept = [v for v in domains[domain] if v is not None]
        out[domain] = _official_pct(sum(kept) / len(kept) if kept else None)
    return out


BENCHMARK = Benchmark(name="wemath", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, extra_scores=four_dimensional, modes=("official", "rules", "judge"),
                      given_verdict=given_verdict)
