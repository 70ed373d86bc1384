r"""Answer layouts other than prose (round 7, found by a seventh held-out set): a JSON object with an answer
key, a Markdown table whose last row is the answer, "=> 123" and "✅ B" lines, and answers written in Spanish,
French, German, Portuguese or Italian (their answer phrases and decimal commas). :func:`answer_layout` rewrites
these into the plain forms the extraction already reads ("Answer: …", a decimal point); the text is only
scanned and parsed as JSON data, never executed.

>>> answer_layout("| Step | Value |\n|---|---|\n| **Answer** | **C. 72** |")
'| Step | Value |\n|---|---|\nAnswer: **C. 72**'
>>> answer_layout("Por lo tanto, el volumen es aproximadamente 944,07 cm³ y el punto es (5,4).")
'Por lo tanto, el volumen es aproximadamente 944.07 cm³ y el punto es (5,4).'
>>> json_answer('```json\n{"reasoning": "3 + 4 = 7", "final_answer": "7 cm"}\n```')
'7 cm'
"""

from __future__ import annotations

import functools
import json
import re

__all__ = ["answer_layout", "checked_letters", "json_answer", "program_output"]

_MAX_JSON_CHARS = 20_000


def json_answer(text: str) -> str | None:
    """The value of the answer key ("answer", "final_answer", "result", "choice", …) of the last JSON object in
    ``text`` (bare or in a code block), or None."""
    if '":' not in text and '" :' not in text:
        return None
    keys = list(_JSON_KEY_RE.finditer(text, max(0, len(text) - _MAX_JSON_CHARS)))
    if not keys:
        return None
    decoder = json.JSONDecoder()
    start = keys[-1].start()
    for _ in range(4):  # the object holding the key, or one enclosing it
        start = text.rfind("{", max(0, len(text) - _MAX_JSON_CHARS), start)
        if start == -1:
            return None
        try:
            value, _ = decoder.raw_decode(text, start)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            for name, answer in reversed(list(value.items())):
                if _KEY_NAME_RE.fullmatch(str(name)) and isinstance(answer, (str, int, float)) and str(answer).strip():
                    return str(answer)
    return None


_KEY_WORDS = (  # the keys that hold the answer: "answer", "final_answer", "Final Answer", "correct-option", …
    r"(?:final[ _-]?)?(?:answer|choice|result)|final|option|correct[ _-]?(?:answer|option)|"
    r"respuesta|r[ée]ponse|antwort|resposta|risposta"
)
_JSON_KEY_RE = re.compile(rf'"\s*(?i:{_KEY_WORDS})\s*"\s*:')
_KEY_NAME_RE = re.compile(rf"\s*(?i:{_KEY_WORDS})\s*")


# "| **Answer** | | **B (60)** |": a table row labelled as the answer gives its last filled cell
_ANSWER_ROW_RE = re.compile(
    r"(?im)^[ \t]*\|[ \t]*(?:\*\*|__)?[ \t]*(?:final[ \t]+answer|answer|final|result)[ \t]*(?:\*\*|__)?[ \t]*:?[ \t]*\|(.*)$"
)
# "- **Final:** C", "**Result:** 12 cm" opening a line: the answer marker the readers know
_FINAL_LABEL_RE = re.compile(  # and a self-consistency's "Consensus: B", "Final (consensus):", "Majority vote: 12"
    r"(?im)^([ \t>*_#-]*(?:\*\*|__)?[ \t]*)(?:final(?:[ \t]+(?:result|consensus))?(?:[ \t]*\(consensus\))?|result|"
    r"consensus|majority(?:[ \t]+vote)?)([ \t]*(?:\*\*|__)?[ \t]*[:：])"
)
_VOTE_LABEL_RE = re.compile(r"(?i)consensus|majority")
_CSV_RE = re.compile(r"(?:^|\n)[ \t]*((?:\"?[A-Za-z_][\w ]{0,30}\"?[ \t]*,[ \t]*)+\"?[A-Za-z_][\w ]{0,30}\"?)[ \t]*\n"
                     r"[ \t]*([^\n,]{1,40}(?:,[^\n,]{0,40})+)[ \t]*\s*$")  # a header of names, then one row
# a summary label with its value on the same line, opening or closing the response (tested with an anchored match
# on the first and the last line only); "Long answer:" opens the explanation of a "Short answer:" given first
_SUMMARY_LABEL_RE = re.compile(
    r"(?im)^([ \t>*_#-]*)(?:TL;?[ \t]?DR|bottom[ \t]+line|in[ \t]+short|key[ \t]+result|"
    r"in[ \t]+summary|summary|to[ \t]+sum[ \t]+up|short[ \t]+answer)([ \t]*(?:\*\*|__)?[ \t]*[:：][ \t]*)(?=\S)"
)
_EXPLAINED_RE = re.compile(r"(?im)^[ \t>*_#-]*(?:long[ \t]+answer|why|explanation|reasoning|here'?s[ \t]+why)\b")
_LONG_ANSWER_RE = re.compile(r"(?i)(?<![A-Za-z])long[ \t]+answer(?=[ \t]*(?:\*\*|__)?[ \t]*[:：])")  # (no blank run first)
_HEADING_RE = re.compile(r"(?im)^[ \t]*#{1,6}[ \t]*(?:final[ \t]+answer|answer|result)[ \t]*(?=\n[^\n#]*\S[^\n]*\s*$)")
# "#### 12", "#### C": GSM8K's answer marker as the last line (MetaMath, WizardMath), a value, not a heading
_SECTION_WORDS = (r"(?:(?i:step|part|case|solution|method|check|verif|summary|conclusion|why|how|note|explanation|"
                  r"example|question|problem|exercise|round)|\d+[.)][ \t]+[A-Za-z])")
_HEADING_WORDS = rf"(?:(?i:answer|final|result)|{_SECTION_WORDS})"
_GSM8K_RE = re.compile(
    rf"(?m)^[ \t]*####[ \t]+(?!{_HEADING_WORDS})(\(?[A-H]\)?\.?|[^\n?]{{0,60}}\d[^\n:?]{{0,60}}?)[ \t]*\Z"
)
# a section heading closing the response, with nothing under it ("#### 3. Conclusion", "#### Why 72?"): no answer
_TRAILING_HEADING_RE = re.compile(  # a title only: "### Step 4: The answer is 12" states the answer and stays
    rf"\n[ \t]*#{{1,6}}[ \t]+(?:\d+[.)][ \t]+)?(?:{_SECTION_WORDS}(?![^\n]*(?::|\bis\b|\d))|[^\n]*\?[ \t]*$)[^\n]*\s*\Z"
)
_ARROW_RE = re.compile(r"(?m)^[ \t]*(?:=>|⟹|⇒|→|(?i:result|answer)[ \t]*->)[ \t]*(\S[^\n]*)$")  # "=> 123", "Result -> 12"
# an answer label with a note before its colon ("Answer (option letter only): C", "Final answer (for grading): 12")
_LABEL_NOTE_RE = re.compile(r"(?i)\b((?:final\s+)?answer)\s*\([^()\n]{1,40}\)\s*([:：])")
# the answer set in an evaluation framework's delimiters on the closing line: "[[A]]", "{{D}}", "<<12>>", "「12」",
# "【答案】12" (not a link "[[page]]" inside a sentence: the line holds nothing else)
_VALUE_INSIDE_RE = re.compile(r"\d|^\(?[A-H]\)?$|[\\√π]")
_DELIMITED_RE = re.compile(r"(?:^|\n)[ \t]*(?:\[\[([^\[\]\n]{1,40})\]\]|\{\{([^{}\n]{1,40})\}\}|<<([^<>\n]{1,40})>>|"
                           r"「([^「」\n]{1,40})」|【答案】[ \t]*([^\n]{1,40}))[ \t.]*$")
_ARROW_LETTER_RE = re.compile(
    r"(?<![A-Z][ \t])(?<![A-Z])(?:→|=>|->|⟹|⇒|\\(?:implies|Rightarrow|Longrightarrow)(?![A-Za-z]))[ \t]*(?:\*\*|__)?\(?([A-H])\)?(?:\*\*|__)?"
    r"[ \t]*[.!]?(?:\*\*)?[ \t|$]*$"
)
_CHECK_RE = re.compile(r"(?m)^[ \t]*(?:(?:✅|✔️?|☑️?)[ \t]*\(?([A-H])\)?|\(?([A-H])\)?[ \t]*(?:✓|✔️?|✅))[ \t.]*$")  # "✅ D"
_EUROPEAN_RE = re.compile(
    r"(?i)\b(?:el|los|las|es|del|por|para|une|des|est|donc|avec|dans|ist|und|der|das|nicht|mit|liegt|quindi|"
    r"della|dunque|perché|não|uma|então|também|respuesta|réponse|antwort|resposta|risposta)\b"
)
_PHRASE_WORDS = {"respuesta", "réponse", "antwort", "resposta", "risposta"}
_EUROPEAN_PHRASES = (  # the answer phrases of five languages, as the English ones the extraction reads
    (re.compile(r"(?i)\b(?:la\s+)?respuesta(?:\s+correcta)?\s+es\b|\b(?:la\s+)?r[ée]ponse(?:\s+correcte)?\s+est\b|"
                r"\b(?:die\s+)?(?:richtige\s+)?antwort\s+(?:ist|lautet)\b|\b(?:a\s+)?resposta(?:\s+correta)?\s+[ée]\b|"
                r"\b(?:la\s+)?risposta(?:\s+corretta)?\s+[èe]\b"), "the answer is"),
    (re.compile(r"(?i)\b(?:respuesta|r[ée]ponse|antwort|resposta|risposta)(\s*(?:\*\*)?\s*[:：])"), r"Answer\1"),
)
_DECIMAL_COMMA_RE = re.compile(r"(?<=\d),(?=\d)")
_SPACE_THOUSANDS_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?![\d,]))")


def _delimited(m: re.Match) -> str:
    """A delimited closing line as an answer line when it holds a value or a letter (not "[[Pythagorean
    theorem]]", "<<END>>", "【答案】见解析")."""
    inside = next(g for g in m.groups() if g is not None).strip()
    return "\nAnswer: " + inside if _VALUE_INSIDE_RE.search(inside) else m.group(0)


@functools.lru_cache(maxsize=256)  # eval's rules read a response, then the verifier reads it again
def answer_layout(text: str) -> str:
    """``text`` with the layouts above rewritten; unchanged when it has none of them (the common case). Each
    layout is looked for where it closes a response (its last 400 characters), after a substring test."""
    if "nswer (" in text[-300:] or "NSWER (" in text[-300:]:  # "Answer (option letter only): C": the label
        text = text[:-300] + _LABEL_NOTE_RE.sub(r"\1\2", text[-300:])
    if (close := text.rstrip(" \t\n.")[-2:]) in ("]]", "}}", ">>") or close[-1:] == "」" or "【答案】" in text[-60:]:
        text = text[:-200] + _DELIMITED_RE.sub(_delimited, text[-200:])  # "[[A]]", "{{D}}", "【答案】12"
    first = text[: 80].lstrip()  # a summary label opens or closes the response: "TL;DR: 12", "Bottom line: …"
    closing = text[-300:].rstrip()
    if _SUMMARY_LABEL_RE.match(first) or _SUMMARY_LABEL_RE.match(closing, closing.rfind("\n") + 1):
        text = _summary_labels(text)
    cut = max(0, len(text) - _END_CHARS)
    end = text[cut:]
    if "|" in end and (rows := list(_ANSWER_ROW_RE.finditer(end))):
        last = rows[-1]
        cells = [c.strip() for c in last.group(1).split("|") if c.strip()]
        if cells:
            end = end[: last.start()] + "Answer: " + cells[-1] + end[last.end():]
    if "#" in end and (heading := _HEADING_RE.search(end)):  # "#### Result\ns = 5 cm" closing the response
        end = end[: heading.start()] + "Answer:" + end[heading.end():]
    if ("inal" in end or "esult" in end or "onsensus" in end or "ajority" in end) and (labels := list(_FINAL_LABEL_RE.finditer(end))):
        last = labels[-1]  # the closing label only ("3. **Result**: …" in a list of steps is none)
        after = sum(1 for line in end[last.end():].split("\n")[1:] if line.strip())
        if after <= (0 if _VOTE_LABEL_RE.search(last.group(0)) else 1):  # "Consensus:" only as the last line
            end = end[: last.start()] + last.group(1) + "Answer" + last.group(2) + end[last.end():]
    if ("=>" in end or "→" in end or "⟹" in end or "⇒" in end or "->" in end) and (arrows := list(_ARROW_RE.finditer(end))):
        if not end[arrows[-1].end():].strip():  # only when it closes the response
            end = end[: arrows[-1].start()] + "Answer: " + arrows[-1].group(1) + end[arrows[-1].end():]
    lines = end.rstrip().rsplit("\n", 2)
    last_line = lines[-1]
    if len(lines) > 1 and "," in last_line and "," in lines[-2] and (row := _CSV_RE.search(end)):  # "answer,unit\n12,cm"
        names = [n.strip().strip('"').lower() for n in row.group(1).split(",")]
        cells = [c.strip().strip('"') for c in row.group(2).split(",")]
        keys = [i for i, n in enumerate(names) if _KEY_NAME_RE.fullmatch(n)]
        if len(names) == len(cells) and len(keys) == 1 and cells[keys[0]]:
            end = end[: row.start()] + "\nAnswer: " + cells[keys[0]]
    if "####" in end and (marker := _GSM8K_RE.search(end)):  # "#### 12" closing the response: GSM8K's answer line
        end = end[: marker.start()] + "Answer: " + marker.group(1)
    elif last_line.lstrip()[:1] == "#" and (heading := _TRAILING_HEADING_RE.search(end)) and end[: heading.start()].strip():
        end = end[: heading.start()]
    if (tail := end.rstrip()[-40:]) and ("→" in tail or ">" in tail or "⇒" in tail or "⟹" in tail or "ightarrow" in tail or "implies" in tail) and (arrow := _ARROW_LETTER_RE.search(tail)):
        if "->" not in arrow.group(0) or "=" in tail[tail.rfind("\n", 0, arrow.start()) + 1 : arrow.start()]:
            # ("-> A" only after a value on its line: "= (15 deg, 75 deg) -> A", not "C' -> A" or "3 -> A\n4 -> B")
            end = end.rstrip() + "\n\nAnswer: " + arrow.group(1)  # "… = 45° → C": the option it points to
    if ("✓" in end or "✅" in end or "✔" in end or "☑" in end) and (checks := list(_CHECK_RE.finditer(end))):
        last = checks[-1]
        if len(checked_letters(text)) == 1:  # "✅ A … ✅ B": no answer
            end = end[: last.start()] + "Answer: " + (last.group(1) or last.group(2)) + end[last.end():]
    text = text[:cut] + end
    window = text[-300:]  # the closing sentences, where the answer and its number are
    if not (_ACCENT_RE.search(window) or _EUROPEAN_HINT_RE.search(window)):  # the common case
        return text
    words = {m.group(0).lower() for m in _EUROPEAN_RE.finditer(window)}
    if words & _PHRASE_WORDS:
        for pattern, english in _EUROPEAN_PHRASES:
            text = pattern.sub(english, text)
    if len(words) >= 2 or words & _PHRASE_WORDS:  # a decimal comma language: "944,07", "34 159,095"
        text = _SPACE_THOUSANDS_RE.sub("", _DECIMAL_COMMA_RE.sub(_decimal_point, text))
    return text


_END_CHARS = 400
# an accented letter or one of these words is in any text of these languages; tested before the word regex
_ACCENT_RE = re.compile("[éèáóíúñçãõäöüßàòùÉÈÁÓÍÚÑÇÜÖÄ]")
_EUROPEAN_HINT_RE = re.compile(  # the words share their spaces: one alternation after " " scans twice as fast
    r" (?:es|est|ist|und|el|la|le|il|der|des|une|por|uma|della) |onc,|ntwort|espuesta|esposta|isposta"
)


# a fenced block: its language tag and its body
_FENCE_RE = re.compile(r"```[ \t]*([\w+#.-]*)[^\n`]*\n(.*?)```", re.DOTALL)
_OUTPUT_TAGS = {"output", "out", "stdout", "result", "results", "console"}  # not "text": prose and Markdown
_CODE_TAGS = {"python", "py", "python3", "ipython", "sympy", "sage", "javascript", "js", "java", "c", "cpp", "c++",
              "r", "matlab", "octave", "julia", "bash", "sh", "shell", "pseudo", "pseudocode", "code"}
_CODE_RE = re.compile(  # an untagged block is a program only with one of these (not "DE = \sqrt{124}")
    r"(?m)^[ \t]*(?:import\s|from\s+\w+\s+import\s|def\s|class\s|return\b|for\s.*\bin\b.*:\s*$)|\bprint\s*\(|"
    r"\b(?:math|np|sp|sympy|numpy)\.\w"
)


# a pasted interactive session: Python's ">>> " (and "... " continuations), Mathematica's "In[1]:= ", MATLAB's ">> "
_REPL_INPUT_RE = re.compile(r"(?m)^[ \t]*(?:>>>|In\[\d+\]:=)")
_MATLAB_INPUT_RE = re.compile(r"(?m)^[ \t]*>>(?=[ \t]+\w[^\n]*[=(;])")  # only where MATLAB printed something:
_MATLAB_OUTPUT_RE = re.compile(r"(?m)^[ \t]*(?:ans|[A-Za-z]\w{0,20})[ \t]*=[ \t]*$")  # "ans =" over its value
_CONTINUATION_RE = re.compile(r"[ \t]*\.\.\.(?:[ \t]{2,}|[ \t]*[)\]}]|[ \t]*$)")  # "...     return x**2"
_POWER_STARS_RE = re.compile(r"(?<=[\w)\]])\*\*(?=[\w(])")  # "x**2" in a program's output, not "**42**"
_REPL_OUTPUT_RE = re.compile(r"(?m)^[ \t]*Out\[\d+\](?://\w+)?=[ \t]*")


def program_output(text: str) -> str:
    """``text`` with its fenced program blocks left out and its output blocks as plain lines (a program of
    thought: "```python … print(round(V, 1))```\n```output\n125.3\n```\nThe volume is about 125.3 cm³."; tags
    ``output``, ``out``, ``stdout``, ``result(s)``, ``console``):
    the program is not read as math (``x**2``, ``V = (1/3) * l * w * h``) and is never run; what it printed,
    as the response shows it, is read like any other line ("x**2" there is a power). A block without a tag is
    a program only when it imports, defines, loops or prints; math in a bare fence (``\frac{CE}{AE} = …``) is
    kept as it is. A pasted interactive session is read the same way (round 9): its input lines (``>>> …`` and
    their ``... `` continuations, Mathematica's ``In[1]:= …``, MATLAB's ``>> …``) are left out, its output lines
    (``Out[1]= 12``, ``ans =`` and the value) are kept. Unchanged without a fence or a prompt (the common case)."""
    if (">>" in text or "In[" in text) and (_REPL_INPUT_RE.search(text) or (
            _MATLAB_INPUT_RE.search(text) and _MATLAB_OUTPUT_RE.search(text))):  # a session: its output lines stay
        text = _repl_output(text, matlab=_MATLAB_OUTPUT_RE.search(text) is not None)
    if "```" not in text:
        return text

    def block(m: re.Match) -> str:
        tag, body = m.group(1).lower(), m.group(2).strip()
        if tag in _OUTPUT_TAGS:
            return "\n" + body.replace("**", "^") + "\n"  # printed by a program: "x**2" is a power, not bold
        if tag in _CODE_TAGS or (not tag and "\\" not in body and _CODE_RE.search(body)):
            return "\n"
        return m.group(0)

    return _FENCE_RE.sub(block, text)


def _summary_labels(text: str) -> str:
    """A summary label on the last line is the answer label ("…\n\nBottom line: l ≈ 21.6 m" -> "Answer: …"); on the
    first line, followed by its explanation ("TL;DR: **B (5)**\n\nWhy: …", "Short answer: … Long answer: …"), it is
    dropped, so that the opening is read as an answer given first (``opening.opening_answer``, which checks it
    against the explanation); anywhere else ("Summary: base = 6, height = 4" before the working) it is left."""
    text = _LONG_ANSWER_RE.sub("Explanation", text)  # "Long answer:" is never the answer's label
    body = text.rstrip()
    last = body.rfind("\n") + 1
    if (closing := _SUMMARY_LABEL_RE.match(body, last)) is not None and not closing.group(0).lower().lstrip(
            " \t>*_#-").startswith("short"):
        return body[:last] + closing.group(1) + "Answer" + closing.group(2) + body[closing.end():]
    start = len(text) - len(text.lstrip())
    opening = _SUMMARY_LABEL_RE.match(text, start)
    if opening is not None and "\n" in text[opening.end():] and _EXPLAINED_RE.search(text, opening.end()):
        return text[: opening.start()] + opening.group(1) + text[opening.end():]
    return text


def answer_tags(text: str) -> list[str]:
    """What the ``<answer>`` tags hold; failing those, the tag other formats close the response with
    (``<final_answer>``, ``<final>``, ``<result>``, one ``<option>``; not ``<solution>``, which holds the working; not
    a ``<result>`` that text follows, a tool's result), or BBCode-style ``[ANSWER]…[/ANSWER]`` tags."""
    if "[/" in text and (bracketed := _BRACKET_TAGS_RE.findall(text[-4000:])) \
            and text.rstrip().endswith("[/" + bracketed[-1][0] + "]"):  # "[ANSWER] y = -2x + 5 [/ANSWER]" closing
        return [bracketed[-1][1]]  # the last one (an echoed format or a first guess before it is not read)
    if "<" not in text:  # the common case
        return []
    for name in _ANSWER_TAG_NAMES:
        if f"<{name}>" not in text:
            continue
        found = []
        pos = 0
        while True:
            start = text.find(f"<{name}>", pos)
            if start == -1:
                break
            end = text.find(f"</{name}>", start)
            if end == -1:
                break
            found.append(text[start + len(name) + 2 : end])
            pos = end + len(name) + 3
        if found and name != "answer":  # other tags only as the response's close, and one option tag only
            if text[pos:].strip() or (name in ("option", "choice") and len(found) > 1):
                continue  # "<result>36</result>\nFinal answer: 6": a tool's result; a list of <option>s
        if found:
            inner = answer_tags(found[-1]) if "</" in found[-1] else []  # <result>…<option>C</option></result>
            return inner or found
    return []


_BRACKET_TAGS_RE = re.compile(r"\[((?i:answer|final[ _]answer|final))\]([^\[\]]{0,400}?)\[/\1\]")  # BBCode-style
_ANSWER_TAG_NAMES = ("answer", "final_answer", "final-answer", "final", "result", "Answer", "ANSWER", "option", "choice")


def _repl_output(text: str, matlab: bool) -> str:
    """A pasted session's output lines without its input lines (MATLAB's ``>>`` lines only with ``matlab``); in an
    output line (up to the next blank line) "x**2" is a power, not bold; "**42**" stays bold."""
    lines, session, typed = [], False, False
    for line in text.split("\n"):
        if _REPL_INPUT_RE.match(line) or (matlab and _MATLAB_INPUT_RE.match(line)) or (
                typed and _CONTINUATION_RE.match(line)):  # "...     return x": input continued, not prose
            session = typed = True
            continue
        typed = False
        session = session and bool(line.strip())
        lines.append(_POWER_STARS_RE.sub("^", _REPL_OUTPUT_RE.sub("", line)) if session else line)
    return "\n".join(lines)


def checked_letters(text: str) -> set[str]:
    """The option letters a response marks with a check mark, each alone on its line ("✅ D", "B ✓")."""
    return {m.group(1) or m.group(2) for m in _CHECK_RE.finditer(text)}


def _decimal_point(m: re.Match) -> str:
    """A decimal comma becomes a point, except inside a pair ("(5,4)", "[2,3]")."""
    text = m.string
    i, j = m.start(), m.end()
    while i > 0 and (text[i - 1].isdigit() or text[i - 1] in "-−"):
        i -= 1
    while j < len(text) and text[j].isdigit():
        j += 1
    return "," if in_pair(text, i, j) else "."


def in_pair(text: str, start: int, end: int, opens: str = "([", closes: str = ")]") -> bool:
    """Whether ``text[start:end]`` (a number with its comma) is all that a bracket pair holds: "(5,4)"."""
    return start > 0 and text[start - 1] in opens and end < len(text) and text[end] in closes


_WORDS_ONLY_RE = re.compile(r"[^\W\d_]{2,}(?:[\s-][^\W\d_]+){0,3}")  # "area", "north east": words, no value
_SUBJECT_OF_VALUE_RE = re.compile(  # the verb, then the value at once: "is 12 cm²", "= 5", "measures about 7"
    r"(?i)[ \t]*(?:is|are|was|were|=|equals?|measures?)[ \t]+(?:about[ \t]+|approximately[ \t]+)?[-−$\\(]?\d"
)


def emphasis_in_prose(text: str, start: int, end: int) -> bool:
    """Whether the bold ``text[start:end]`` only stresses the subject of a value inside a sentence ("The **area**
    is 12 cm²"): words, no digit, a word before it on its line, and the verb and value right after it. Such a
    bold is not the answer; a bold word that closes a statement ("So the triangle is **isosceles**.\nIts sides
    are 5, 5 and 8.") or opens a line ("**Cylinder**") is."""
    inner = text[start + 2 : end - 2]
    line_start = text.rfind("\n", 0, start) + 1
    return (_WORDS_ONLY_RE.fullmatch(inner) is not None and any(c.isalnum() for c in text[line_start:start])
            and _SUBJECT_OF_VALUE_RE.match(text, end) is not None)
