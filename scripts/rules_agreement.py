"""How close rules mode (no judge) comes to the official verdicts; prints one JSON line per measurement.

Two measurements, each on files you give it (nothing is downloaded, nothing from them is executed):

1. ``--mathvista FILE ...``: published MathVista result files (``output_*.json`` with the official GPT
   extraction and ``true_false``). Per file: official accuracy, rules-mode accuracy, |gap| and item agreement;
   then the mean and worst gap.
2. ``--mathverse FILE`` / ``--wemath FILE``: the benchmark's own data (MathVerse ``testmini*.json``, We-Math
   ``testmini.json``). With no judged result files at hand, this checks what a judge would never get wrong:
   every gold stated back in the ways models state answers must be right ("So the answer is <gold>.", the
   option's letter in five phrasings, the option's text alone), and the same statement with one number changed
   or another option must be wrong. It counts each phrasing's failures.

    python scripts/rules_agreement.py --mathvista results/*/output_*.json
    python scripts/rules_agreement.py --mathverse MathVerse/data/testmini_text_only.json --wemath We-Math/data/testmini.json
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from eval import mathverse, mathvista, wemath  # noqa: E402
from mmagrae.preflight import read_json  # noqa: E402


def mathvista_files(paths: list[str]) -> None:
    gaps = []
    for path in paths:
        published = {k: v for k, v in read_json(path).items() if "true_false" in v}
        scored, _ = mathvista.score_results(published, mode="rules")
        official = 100 * sum(bool(v["true_false"]) for v in published.values()) / len(published)
        rules = 100 * sum(bool(v["true_false"]) for v in scored.values()) / len(scored)
        agree = 100 * mathvista.agreement(published, scored)["agreement"]
        gaps.append(abs(official - rules))
        print(json.dumps({"file": Path(path).name, "items": len(published), "official": round(official, 1),
                          "rules": round(rules, 1), "gap": round(abs(official - rules), 1),
                          "agreement": round(agree, 1)}))
    if gaps:
        print(json.dumps({"mathvista_files": len(gaps), "mean_gap": round(statistics.mean(gaps), 2),
                          "worst_gap": round(max(gaps), 1)}))


def _changed(text: str) -> str | None:
    """``text`` with its first number changed (an integer + 1, a decimal by 7 %, its digits kept)."""
    m = re.search(r"\d+(?:\.\d+)?", text)
    if m is None:
        return None
    t = m.group()
    new = str(int(t) + 1) if "." not in t else f"{float(t) * 1.07:.{len(t.split('.')[1])}f}"
    return None if new == t else text[: m.start()] + new + text[m.end():]


def _letter_phrasings(letter: str, option: str | None) -> dict[str, str]:
    out = {"stated": f"Reasoning.\nSo the correct option is {letter}.", "answer_colon": f"Answer: {letter}",
           "boxed": f"$\\boxed{{{letter}}}$", "parenthesised": f"Therefore, the correct answer is ({letter}).",
           "bold": f"**Answer: {letter}**"}
    if option:
        out |= {"letter_and_text": f"The correct option is {letter}: {option}",
                "text_only": f"Thus, the result is {option}."}
    return out


def _tally(judge, row, cases: dict[str, tuple[str, bool]], right: Counter, wrong: Counter, tried: Counter) -> None:
    """Judge each ``(response, should_be_right)`` of ``cases`` in rules mode and count the outcome by key."""
    for key, (response, ok) in cases.items():
        got = judge(row, response, "rules").correct
        tried[key] += 1
        (right if ok else wrong)[key] += got


def _report(name: str, rows: int, right: Counter, wrong: Counter, tried: Counter) -> None:
    print(json.dumps({"benchmark": name, "rows": rows,
                      "right_statements_judged_wrong": {k: f"{tried[k] - right[k]}/{tried[k]}" for k in sorted(right)},
                      "wrong_statements_judged_right": {k: f"{wrong[k]}/{tried[k]}" for k in sorted(wrong)},
                      "statements": sum(tried.values())}, ensure_ascii=False))


def mathverse_golds(path: str) -> None:
    rows = read_json(path)
    right, wrong, tried = Counter(), Counter(), Counter()
    for row in rows:
        gold = str(row["answer"])
        if row["question_type"] == "multi-choice":
            choices = mathverse.parse_choices(str(row["question"])) or []
            if not re.fullmatch(r"[A-H]", gold.strip()):
                continue  # "C\nD", "(C)", "090^\circ T": golds that are not one letter
            index = ord(gold.strip()) - ord("A")
            option = choices[index] if index < len(choices) else None
            cases = {k: (r, True) for k, r in _letter_phrasings(gold.strip(), option).items()}
            other = "A" if gold.strip() != "A" else "B"
            cases["other_letter"] = (f"So the correct option is {other}.", False)
        else:
            cases = {"answer_is": (f"So the answer is {gold}.", True), "final": (f"Final answer: {gold}", True)}
            if (changed := _changed(gold)) is not None:
                cases["changed_number"] = (f"So the answer is {changed}.", False)
        _tally(mathverse.judge, row, cases, right, wrong, tried)
    _report("mathverse", len(rows), right, wrong, tried)


def wemath_options(path: str) -> None:
    rows = read_json(path)
    right, wrong, tried = Counter(), Counter(), Counter()
    for row in rows:
        letter = str(row["answer"]).strip()
        options = wemath.parse_options(row["option"])
        index = ord(letter) - ord("A")
        option = options[index] if index < len(options) else None
        cases = {k: (r, True) for k, r in _letter_phrasings(letter, option).items()}
        cases["answer_tag"] = (f"<Thought process>: ... <Answer>: {letter}. {option}", True)
        other = "A" if letter != "A" else "B"
        cases["other_letter"] = (f"<Answer>: {other}", False)
        _tally(wemath.judge, row, cases, right, wrong, tried)
    _report("wemath", len(rows), right, wrong, tried)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mathvista", nargs="*", default=[], help="published output_*.json files")
    parser.add_argument("--mathverse", help="MathVerse testmini JSON (a list of rows)")
    parser.add_argument("--wemath", help="We-Math testmini JSON")
    args = parser.parse_args(argv)
    if not (args.mathvista or args.mathverse or args.wemath):
        parser.error("give --mathvista FILE..., --mathverse FILE or --wemath FILE")
    mathvista_files(args.mathvista)
    if args.mathverse:
        mathverse_golds(args.mathverse)
    if args.wemath:
        wemath_options(args.wemath)
    return 0


if __name__ == "__main__":
    sys.exit(main())
