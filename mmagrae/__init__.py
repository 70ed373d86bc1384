"""mmagrae: RL fine-tuning of vision-language models with verifiable rewards and A-GRAE.

A-GRAE is Asymmetric Group Relative Advantage Estimation (arXiv 2602.05548). The package is laid out as
``config`` (dataclass tree) → ``data`` (rows → prompts) → ``rollout`` (engines) → ``verifiers`` (rewards)
→ ``algos`` (advantages, losses) → ``trainer`` (the loop). Importing ``mmagrae`` is cheap: submodules load
torch and transformers only when used.
"""

__version__ = "0.1.0"
