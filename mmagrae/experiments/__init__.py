"""Controlled experiments of arXiv 2602.05548 (A-GRAE): a tabular softmax bandit and a tiny transformer.

``tabular`` and ``tiny_transformer`` each train one policy with one advantage estimator; ``runner`` sweeps
estimators × seeds, aggregates mean ± std, writes JSON and PNG plots; ``cli`` adds ``mmagrae experiment``.
"""
