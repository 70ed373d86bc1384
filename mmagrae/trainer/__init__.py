"""The RL training loop (``loop.train``) and its thin adapters: checkpoints, tracking, DeepSpeed."""
