"""Reward functions the trainer tests plug in through ``reward.function=trainer_rewards:NAME``.

A random tiny model almost never answers correctly, so the built-in accuracy reward would give every group the
same reward and zero advantages (no gradient). These give varied rewards from the text alone.
"""


def parity_reward(response: str, row: dict) -> float:
    """1 for responses with an even number of characters: about half of the samples in a group."""
    return float(len(response) % 2 == 0)


def nan_reward(response: str, row: dict) -> float:
    return float("nan")


def half_informative_reward(response: str, row: dict) -> float:
    """Parity for rows whose answer is even, 0 for odd answers: those groups have no learning signal."""
    return parity_reward(response, row) if int(row["answer"]) % 2 == 0 else 0.0
