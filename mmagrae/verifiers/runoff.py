r"""Run-on text after a response's answer (round 8, found by an eighth held-out set): what a small or badly
stopped model writes once it has answered, which an extraction must not read as the answer.

- an end-of-turn token and all after it (``</s>``, ``<|im_end|>``, ``<|eot_id|>``, ``[INST]``, …: the model
  should have stopped there); a response that opens with the user's turn is an echoed prompt, read from the
  reply's opening token (``[/INST]``, ``<|im_start|>assistant``) on, and is no answer without one;
- Math-Shepherd's step tag ``ки`` (a token its process reward model scores, written after every step: "The
  answer is: 12 ки"), standalone only, never inside a word ("точки");
- a loop: the same line or sentence repeated to the token limit, whose last copy is cut off mid-way
  ("∠P = 40°" five times, then "∠P = 4");
- a check cut off by the token limit (round 11, a nineteenth held-out set): a last paragraph that opens a
  verification or an aside after the answer ("Let me double-check: …", "Equivalently, …", "Note that …") and
  stops mid-sentence ("… = 230 + 69 = 29", "… the extension of") is not read, unless it corrects or answers
  ("… so the answer is actually 14"); the answer stated before it is.

A next turn the model invents after its answer ("Question: … Answer: …") is *not* cut: GPT's answer
extraction reads the last answer in the text (MathVista's published extractions of Claude's 2-shot responses,
263 of which go on with invented questions, agree with the official verdicts 94.7 % read whole and 88.9 % cut),
so a rule that cut it would move rules mode away from the judged numbers.

>>> drop_runoff("B. 40°\n∠P = 40°\n∠P = 40°\n∠P = 40°\n∠P = 4")
'B. 40°\n∠P = 40°'
>>> drop_runoff("The inequality is y ≥ -2x - 6.<|im_end|>\n<|im_end|>")
'The inequality is y ≥ -2x - 6.'
>>> drop_runoff("So the volume is 299 cm³.\n\nLet me double-check: 23 × 13 = 230 + 69 = 29")
'So the volume is 299 cm³.'
"""

from __future__ import annotations

import functools
import re

from mmagrae.verifiers.math_text import TRAILING_UNIT_RE

__all__ = ["drop_runoff"]

# tokens that end the reply or open the user's next turn, in the common chat templates (Llama 2/3, ChatML/Qwen,
# Phi, Gemma, DeepSeek, GLM, InternLM, MiniCPM, LLaVA's "</s>")
_TURN_END_RE = re.compile(
    r"</s>|<\|(?:im_end|endoftext|eot_id|end_of_text|end|end_of_sentence|user|observation)\|>|<end_of_turn>|<eos>|"
    r"<\|im_start\|>\s*(?:user|system)|<start_of_turn>\s*user|<\|start_header_id\|>\s*user|\[/?INST\]|<\|?eoa\|?>|"
    r"<｜end▁of▁sentence｜>|<｜User｜>"
)
# an echoed prompt opens with the user's (or the system's) turn, perhaps after a begin-of-text token
_PROMPT_START_RE = re.compile(
    r"\s*(?:<s>|<\|begin_of_text\|>|<bos>|<｜begin▁of▁sentence｜>)?\s*(?:\[INST\]|<\|im_start\|>\s*(?:user|system)|"
    r"<start_of_turn>\s*user|<\|start_header_id\|>\s*(?:user|system)|<\|user\|>|<\|system\|>|<｜User｜>)"
)
# the reply's opening in an echoed prompt: what comes before it is the prompt
_REPLY_START_RE = re.compile(
    r"\[/INST\]|<\|im_start\|>\s*assistant|<\|assistant\|>|<start_of_turn>\s*model|<｜Assistant｜>|"
    r"<\|start_header_id\|>\s*assistant\s*<\|end_header_id\|>"
)
# end-of-turn tokens the template left before the reply
_LEFTOVER_RE = re.compile(r"^(?:\s*(?:</s>|<\|(?:im_end|endoftext|eot_id|end_of_text|end)\|>|<eos>|<end_of_turn>))+")
_STRUCK_RE = re.compile(r"(?<=\S)[ \t]*<(s|del|strike)>[^<>\n]{1,80}</\1>")  # struck-through text mid-line, not a BOS
_TOKEN_HINT_RE = re.compile(r"</s>|<\||<｜|INST\]|_of_turn>|<eos>|eoa")
_SENTENCE_RE = re.compile(r"(?<=[.!?。])[ \t]+")
_STEP_TAG_RE = re.compile(r"[ \t]?(?<!\w)ки(?!\w)")  # Math-Shepherd's step tag, a token of its own


@functools.lru_cache(maxsize=256)  # eval's rules read a response, then the verifier reads it again
def drop_runoff(text: str) -> str:
    """``text`` without the run-on parts above (when ``text`` has a ``</think>``, only what follows it is read
    this way); unchanged when it has none (the common case: three substring tests)."""
    think = text.rfind("</think>")
    head, text = (text[: think + len("</think>")], text[think + len("</think>"):]) if think != -1 else ("", text)
    if ("<" in text or "INST]" in text) and _TOKEN_HINT_RE.search(text):  # every token above has one of these
        text = _STRUCK_RE.sub("", _LEFTOVER_RE.sub("", text))  # "<|im_end|>\n<|im_start|>user …", "is <s>5</s> 7"
        if _PROMPT_START_RE.match(text):  # an echoed prompt ("[INST] … [/INST] 12"): its reply, perhaps none
            reply = _REPLY_START_RE.search(text)
            text = text[reply.end():] if reply else ""
        while m := _TURN_END_RE.search(text):
            if text[: m.start()].strip():
                text = text[: m.start()].rstrip()
                break
            text = text[m.end():]  # a token that opens the response (a template's leftover) is dropped
    if "ки" in text:
        text = _STEP_TAG_RE.sub("", text)
    if ("uestion" in text or "ptions" in text or "hoices" in text) and (echo := _ECHO_RE.search(text)) is not None \
            and _echoed(text[echo.end():]) and _ANSWERED_RE.match(text[: echo.start()].strip()) \
            and len(text[: echo.start()].strip()) <= _ECHO_AFTER_CHARS \
            and text.count("Question") + text.count("QUESTION") <= 1 and "Hint:" not in text:
        text = text[: echo.start()].rstrip()  # "P = 17\nQuestion: In this right-angled triangle, …?": an echo
    if _may_loop(text):
        text = _drop_loop(text)
    elif "\n\n" in text[-_CHECK_TAIL_CHARS:] and text.rstrip()[-1:] not in _COMPLETE_ENDS:
        text = _drop_cut_check(text)
    return head + text


# the prompt echoed after the answer by small models: a "Question:", "Options:" or "Choices:" block that ends
# as questions do and holds no answer of its own (an invented next question *with* an answer is read as before,
# and so are few-shot continuations — several "Question:" blocks, a "Hint:" — which GPT's MathVista extraction
# reads in its own way)
# what comes before an echo is an answer: a value or a letter alone, not a question or an instruction ("Find x.")
_ANSWERED_RE = re.compile(r"(?is)(?!(?:find|what|which|how|why|solve|calculate|determine|from|if|given)\b)"
                          r"(?:\W*[A-H]\W*|(?=.*\d)(?!.*\?\s*$).+)$")
_ECHO_AFTER_CHARS = 200  # after a short answer only ("P = 17", "B. 10"): a worked solution's next "Question:" is a new turn
_ECHO_RE = re.compile(r"\n[ \t>*_#|]*(?:Question|QUESTION|Options|Choices)[ \t*_]*[:：]")
_ECHO_END_RE = re.compile(
    r"(?:\?|\(\s*\)|_{2,}|_\s*\)?|(?i:no\s+correct\s+answer|cannot\s+be\s+(?:determined|compared))|"
    r"(?:^|\n)[ \t]*\(?[A-H][:.)][^\n]{0,80}|"
    r"(?:^\s*|[.?!:]\s)(?i:find|solve\s+for|calculate|determine|state|write|estimate|compute|work\s+out)\b[^.?!\n]{0,160}|"
    r"\b_+\b[^\n]{0,60})[ \t.。]*$"
)
_ECHO_ANSWER_RE = re.compile(  # an answer, a pick, a correction or a conclusion in the block: no echo
    r"(?i)\banswer\s*(?:is|:)|\bans\b|\\boxed|<answer>|\bso\b|\btherefore\b|\bthus\b|\bhence\b|\bsolution\b|"
    r"\bcorrect\s+(?:answer\s+is|option|choice)|\bis\s+correct\b|\(correct\)|\bgo\s+with\b|\bpick\b|\bchoose\b|"
    r"\bwait\b|\bactually\b|\brecomput|\brecalculat|\bcheck|\*\*\(?[A-H]\)?\*\*|[→⇒]|[✓✔✗✘❌←]|<-+|<=+|this\s+one|"
    r"[:.)]\s*[^\n;]{0,40}\b(?:yes|no)\b\s*[.!]?\s*$|答|选|=\s*[-−]?\d[^\n]*$"
)


def _echoed(rest: str) -> bool:
    """Whether ``rest`` (after a "Question:" label) is the question echoed, not a next turn with its answer."""
    plain = _OPTION_WORDS_RE.sub(" ", rest)  # "E. No correct answer", "D. Cannot be determined": options, not picks
    return len(rest) < 1500 and not _ECHO_ANSWER_RE.search(plain) and _ECHO_END_RE.search(rest.rstrip()) is not None


_OPTION_WORDS_RE = re.compile(r"(?i)\bno\s+correct\s+answer\b|\bcannot\s+be\s+(?:determined|compared)\b|\bnone\s+of\s+these\b")


_CHECK_TAIL_CHARS = 1500
_COMPLETE_ENDS = set(".!?。！？)]}$*_✓✔✅\"'»`|>") | {""}
# what opens a check or an aside after the answer
_CHECK_OPENING_RE = re.compile(
    r"(?i)[ \t>*_#-]*(?:(?:let\s+me|let's|let\s+us|to|we\s+can|i(?:'ll|\s+will|\s+can))\s+(?:also\s+|quickly\s+)?"
    r"(?:double[- ]?check|check|confirm|verify|cross[- ]check|sanity[- ]check|get|compute|see)|"
    r"(?:double[- ]?checking|checking|verifying|confirming|cross[- ]checking|verification|sanity\s+check|check|note|"
    r"equivalently|alternatively|also|additionally|in\s+other\s+words|as\s+a\s+check|for\s+completeness)\b)"
)
# a cut-off paragraph that says any of these may correct or state the answer: kept
_CHECK_KEEP_RE = re.compile(
    r"(?i)\banswer|\bactually\b|\bwait\b|\bmistake|\bwrong\b|\berror\b|\binstead\b|\bcorrect(?:ed|ion)?\b|"
    r"\boops\b|\bhmm\b|\bfinal\b|\\boxed|≠|\breally\s+(?:[-−]?\d|is\b)|n't\s+(?:match|equal|work|right|correct)|"
    r"\bnot\s+(?:[-−]?\d|correct|right|equal|match)|\brecount|\brecheck|\bredo\b|"
    r"\bso\s+(?:[a-z]\s*=|the\s+(?:answer|total|result|value|correct))"
)


def _drop_cut_check(text: str) -> str:
    """The text without a last paragraph that opens a check or an aside after a paragraph that states something
    with a digit or a letter option (the answer), when that paragraph concludes ("So the side is 7 cm.") and the
    last one only checks or adds to it, or when the last one is cut off mid-sentence. Cut off means: it ends on
    an operator or a connecting word ("= 121 +", "the extension of"), on a word broken off after other words
    ("the two notch wal"; not a unit: "= 48 cm"), or on a result that is a first part of what its left side
    computes ("23 × 13 = 230 + 69 = 29")."""
    body = text.rstrip()
    cut = body.rfind("\n\n", max(0, len(body) - _CHECK_TAIL_CHARS))
    if cut == -1:
        return text
    last, before = body[cut + 2:], body[:cut].rstrip()
    if not before or not _CHECK_OPENING_RE.match(last) or _CHECK_KEEP_RE.search(last):
        return text
    previous = before[before.rfind("\n\n") + 1:].lstrip()
    concluded = _CONCLUDED_RE.search(previous) is not None and before[-1:] in ".!"
    if not (_cut_off(last) or concluded and _ASIDE_OPENING_RE.match(last)):
        return text  # ("The base is 6 and the height is 8.\n\nAlso, the area is 48": givens, then the answer)
    return before if re.search(r"\d|\b[A-H]\b", previous) else text


# a paragraph that concludes ("So the side is 7 cm.") and a last paragraph that only checks or adds to it ("Also,
# the perimeter is 28 cm", "To verify: the diameter is 10 cm …"): read without the last one, cut off or not
_CONCLUDED_RE = re.compile(r"(?i)^[ \t>*_#-]*(?:so|thus|therefore|hence|∴|the\s+answer|answer\s*:|final)\b|\bso\s+the\b")
_ASIDE_OPENING_RE = re.compile(
    r"(?i)[ \t>*_#-]*(?:also|additionally|equivalently|in\s+other\s+words|as\s+a\s+check|to\s+(?:verify|check|confirm)|"
    r"(?:let\s+me|let's)\s+(?:also\s+)?(?:double[- ]?)?(?:check|verify|confirm)|check(?:ing)?|verification|double[- ]?check(?:ing)?)\b"
)
_OPERATOR_END_RE = re.compile(r"(?:[-+×*/÷=(,−±√^]|\b(?i:of|the|a|an|to|and|is|are|by|with|from|so|then|for|in|on|at|"
                              r"that|which|we|it|its|would|will|be|as|than|or))\s*$")
_BROKEN_WORD_RE = re.compile(r"[A-Za-z]{2,}[ \t]+([a-z]{1,14})$")  # "the two notch wal", "which is consist"
_LAST_EQUATION_RE = re.compile(r"([0-9+\-−×*/÷()·. ]*\d[0-9+\-−×*/÷()·. ]*)=\s*([-−]?\d+)\s*$")


def _cut_off(paragraph: str) -> bool:
    if _OPERATOR_END_RE.search(paragraph):
        return True
    broken = _BROKEN_WORD_RE.search(paragraph)
    if broken is not None:  # (a unit ends a complete value: "= 48 cm")
        return TRAILING_UNIT_RE.search(" " + broken.group(1)) is None
    equation = _LAST_EQUATION_RE.search(paragraph)
    if equation is None:
        return False
    from mmagrae.verifiers.symbolic import constant_value  # (our parser: nothing is executed)

    value = constant_value(equation.group(1).split("=")[-1].replace("×", "*").replace("÷", "/").replace("·", "*"))
    if value is None or getattr(value, "denominator", 2) != 1:
        return False  # not an exact integer: "116 × 0.7771 = 90.1" may be a rounded value
    full, shown = str(int(value)), equation.group(2).replace("−", "-")
    return full != shown and full.startswith(shown)


def _may_loop(text: str) -> bool:
    """A cheap test before :func:`_drop_loop`: the text ends in a copy, or a cut-off copy, of the line (or
    sentence) before it. Reads only the last two lines (no copy of the text)."""
    end = len(text)
    while end and text[end - 1].isspace():
        end -= 1
    start = text.rfind("\n", max(0, end - _LOOP_TAIL_CHARS), end) + 1
    last = text[start:end].strip()
    if not last:
        return False
    before = start - 1
    while before > 0 and text[before - 1].isspace():
        before -= 1
    previous = text[text.rfind("\n", max(0, before - _LOOP_TAIL_CHARS), before) + 1: before].strip()
    if previous and previous.startswith(last):
        return True
    # the last sentence against the one before it ("So the answer is B. So the ans")
    cut = max(last.rfind(". "), last.rfind("! "), last.rfind("? "), last.rfind("。"))
    if cut <= 0:
        return False
    end_sentence = last[cut + 1:].strip()
    start = max(last.rfind(". ", 0, cut), last.rfind("! ", 0, cut), last.rfind("? ", 0, cut), last.rfind("。", 0, cut))
    return bool(end_sentence) and last[start + 1: cut + 1].strip().startswith(end_sentence)


_LOOP_TAIL_CHARS = 2000


def _drop_loop(text: str) -> str:
    """A line (or a last line's sentence) repeated three or more times at the end, its last copy possibly cut
    off, becomes one copy; blank lines between the copies do not count."""
    lines = text.rstrip().split("\n")
    filled = [i for i, line in enumerate(lines) if line.strip()]
    first = _first_copy([lines[i].strip() for i in filled])
    if first is not None:  # the text up to the end of the repeated line's first copy
        return "\n".join(lines[: filled[first] + 1]).rstrip()
    sentences = _SENTENCE_RE.split(lines[-1].strip())
    first = _first_copy(sentences)
    if first is not None:
        return "\n".join(lines[:-1] + [" ".join(sentences[: first + 1])]).rstrip()
    return text


def _first_copy(units: list[str]) -> int | None:
    """The index of the first copy when ``units`` end in one unit repeated three or more times (the last copy
    possibly cut off: a prefix of it); None when they do not."""
    if len(units) < 3:
        return None
    partial = units[-1] != units[-2] and units[-2].startswith(units[-1])
    unit = units[-2] if partial else units[-1]
    if not any(c.isalnum() for c in unit):
        return None
    i = len(units) - 1 - partial  # the last full copy
    while i > 0 and units[i - 1] == unit:
        i -= 1
    copies = len(units) - i  # the cut-off copy counts
    return i if copies >= 3 else None
