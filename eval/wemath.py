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
- Rates: IK, IG, CM over the number of composites; RM over CM + RM.
- Score = (N − 0.5·IG − RM − IK) / N, strict and loose. The official script hard-codes N = 525 (the testmini
  size); we use the number of composites scored, which equals 525 on the full testmini.

A sub-problem missing from the results is neither right nor wrong (the official left join leaves NaN, which
fails both ``== True`` and ``== False``); we reproduce that with three-valued verdicts. A composite whose
multi-step problem is missing counts in no class; the official script still counts it in N = 525, we do not.

Official extraction (string matching): the text after the last ``Answer``, stripped of ``<``, ``>``, ``:``,
``.``; its first character if it is one of A-H. Rules mode gives ``mmagrae.verifiers.verify`` the text after
the last ``Answer`` marker (the whole response when there is none), so "<Answer>: <(B) 400, 300>" or a
``\boxed{B}`` both count.

    >>> official_extract("<Thought process>: ... <Answer>: <B>")
    'B'
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.registry import Benchmark, SampleVerdict, image_paths, load_hub, read_local_rows, rules_verdict

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
    """``"A. 3;B. 4; C. 5"`` -> ``["3", "4", "5"]``."""
    parts = [p.strip() for p in str(option).split(";") if p.strip()]
    return [re.sub(r"^[A-H]\s*[.:)]\s*", "", p) for p in parts]


def load(split: str = "testmini", *, source: str | Path | None = None, limit: int | None = None) -> list[dict]:
    """We-Math rows: Hub, Parquet, or the repository layout (``testmini.json``: a list of items with
    ``image_path`` relative to the JSON file's folder). ``limit`` keeps whole composites (by ``ID``)."""
    if source is None:
        rows = load_hub(HF_DATASET_ID, split)
        root = None
    else:
        rows, root = read_local_rows(source, split)
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


def judge(row: Mapping[str, Any], response: str, mode: str = "rules", extractor=None) -> SampleVerdict:
    if mode == "official":
        extracted = official_extract(response)
        return SampleVerdict(extracted, extracted is not None and extracted == row["answer"])
    if mode == "judge" and extractor is not None:
        extracted = extractor({**row, "response": response})
        return SampleVerdict(extracted, extracted == row["answer"])
    # The prompt asks for "<Answer>: <<option>>"; the verifier reads the text after the last "Answer" marker.
    text = _STRIP.sub(" ", response.split("Answer")[-1]).strip() if "Answer" in response else response
    return rules_verdict(text, row["answer"], choices=parse_options(row["option"]))


def categories(row: Mapping[str, Any]) -> dict[str, Any]:
    steps = row["key"].split("_")[0]
    kind = "multi" if row["key"].endswith("multi") else "one-step"
    return {"steps": f"{steps} {kind}", "knowledge concept": row.get("knowledge concept", "")}


def four_dimensional(rows: Sequence[Mapping[str, Any]], correct: Sequence[Sequence[bool]]) -> dict[str, Any]:
    """IK / IG / CM / RM counts and rates, strict and loose scores, and S1/S2/S3 accuracies (first sample)."""
    verdicts: dict[str, dict[str, bool]] = {}
    steps_of: dict[str, int] = {}
    for row, samples in zip(rows, correct, strict=True):
        verdicts.setdefault(str(row["ID"]), {})[row["key"].split("_")[-1]] = bool(samples[0])
        steps_of[str(row["ID"])] = int(row["key"][0])  # "2steps_1" -> 2
    counts = dict.fromkeys(("IK", "IG", "CM_strict", "CM_loose", "RM_strict", "RM_loose"), 0)
    one_step: list[bool] = []
    multi = {"2": [], "3": []}
    composites = 0
    for composite_id, v in verdicts.items():
        steps = steps_of[composite_id]
        subs = [v.get(str(i)) for i in range(1, steps + 1)]  # None: missing from the results
        m = v.get("multi")
        if m is None:
            continue
        composites += 1
        one_step += [s for s in subs if s is not None]
        multi[str(steps)].append(m)
        all_right = all(s is True for s in subs)
        any_right = any(s is True for s in subs)
        all_wrong = all(s is False for s in subs)
        any_wrong = any(s is False for s in subs)
        counts["IK"] += any_wrong and not m
        counts["IG"] += all_right and not m
        counts["CM_strict"] += all_right and m
        counts["CM_loose"] += any_right and m
        counts["RM_strict"] += any_wrong and m
        counts["RM_loose"] += all_wrong and m
    n = composites or 1

    def pct(x: float) -> float:
        return round(100.0 * x, 2)

    out: dict[str, Any] = {"composites": composites, "counts": counts}
    for mode in ("strict", "loose"):
        cm, rm = counts[f"CM_{mode}"], counts[f"RM_{mode}"]
        out[mode] = {
            "score": pct((n - 0.5 * counts["IG"] - rm - counts["IK"]) / n),
            "IK": pct(counts["IK"] / n),
            "IG": pct(counts["IG"] / n),
            "CM": pct(cm / n),
            "RM": pct(rm / (cm + rm)) if cm + rm else 0.0,
        }
    out["S1"] = pct(sum(one_step) / len(one_step)) if one_step else 0.0
    out["S2"] = pct(sum(multi["2"]) / len(multi["2"])) if multi["2"] else 0.0
    out["S3"] = pct(sum(multi["3"]) / len(multi["3"])) if multi["3"] else 0.0
    return out


BENCHMARK = Benchmark(name="wemath", hf_id=HF_DATASET_ID, splits=SPLITS, load=load, prompt=prompt, judge=judge,
                      categories=categories, extra_scores=four_dimensional, modes=("official", "rules", "judge"))
