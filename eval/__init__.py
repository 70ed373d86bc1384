"""Benchmark harnesses: MathVista, MathVerse, MATH-Vision, We-Math, Geometry3K, ChartQA (see docs/EVAL.md).

``registry`` maps names to adapters (loader, official prompt, scorer); ``loaders`` holds the readers the
adapters share (local JSON/Parquet, data_recipes datasets, the Hub); ``scoring`` turns per-sample verdicts into
accuracy, pass@k and category tables; ``runner`` generates through ``mmagrae.rollout`` with a resumable cache;
``judge`` extracts answers through an OpenAI-compatible endpoint; ``report`` writes Markdown and PNG charts;
``cli`` adds ``mmagrae eval run|score``; ``formats`` reads lmms-eval and VLMEvalKit result files;
``mathvision_official`` is MATH-Vision's official extraction and ``is_equal`` without ``eval``; ``rules`` holds
the benchmark-aware readings of rules mode.
"""
