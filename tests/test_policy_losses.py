"""Policy losses GSPO, CISPO, GMPO, SAPO (and PPO's registry entry) against hand-computed numbers, reference
numbers from verl's implementations, gradient checks, masked/empty responses, and the k3 KL clamp (issue 12)."""

from __future__ import annotations

import math

import pytest
import torch

from mmagrae.algos import (
    AGGREGATIONS,
    POLICY_LOSS_DEFAULTS,
    POLICY_LOSS_FNS,
    POLICY_LOSSES,
    compute_policy_loss,
    kl_penalty,
    policy_loss_parameters,
)


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def run(name: str, logp: list, old: list, adv: list, mask: list, **kwargs):
    """Loss, metrics and d loss / d logp for float64 inputs."""
    lp = torch.tensor(logp, dtype=torch.float64, requires_grad=True)
    loss, metrics = compute_policy_loss(lp, torch.tensor(old, dtype=torch.float64),
                                        torch.tensor(adv, dtype=torch.float64),
                                        torch.tensor(mask, dtype=torch.float64), policy_loss=name, **kwargs)
    loss.backward()
    return loss.item(), metrics, lp.grad


# ---------------------------------------------------------------------------------------------- GSPO


def test_gspo_hand_computed_two_responses():
    # response 1: log-ratios +0.01, −0.01 (mean 0: s = 1, inside the clip), A = 2, a third masked NaN token;
    # response 2: one token, log-ratio −0.2 (s = e^-0.2 = 0.8187 > 0.8: not clipped), A = −1.
    s2 = math.exp(-0.2)
    loss, m, grad = run("gspo", [[0.01, -0.01, float("nan")], [-0.2, 0.0, 0.0]], [[0.0, 0.0, 0.0]] * 2,
                        [2.0, -1.0], [[1, 1, 0], [1, 0, 0]], clip_low=0.2, clip_high=0.2)
    assert loss == pytest.approx((-2.0 * 1.0 + 1.0 * s2) / 2, rel=1e-9)  # seq-mean-token-mean
    # d/d logp_t: −A·s_i / |y_i| (token-level stop-gradient form), then the mean over 2 responses
    expected = torch.tensor([[-2.0 / 2 / 2, -2.0 / 2 / 2, 0.0], [s2 / 2, 0.0, 0.0]], dtype=torch.float64)
    assert torch.allclose(grad, expected, rtol=1e-9)
    assert m["loss/clipfrac"] == 0.0 and m["loss/ratio_mean"] == pytest.approx((2 + s2) / 3, rel=1e-9)


def test_gspo_paper_clip_range_clips_whole_sequence():
    # log-ratios 0.1, 0.3: s = e^0.2 = 1.2214, clipped to 1 + 4e-4 for A = 1: no gradient on either token
    loss, m, grad = run("gspo", [[0.1, 0.3]], [[0.0, 0.0]], [1.0], [[1, 1]])
    assert loss == pytest.approx(-(1 + 4e-4), rel=1e-9)
    assert m["loss/clipfrac"] == 1.0 and (grad == 0).all()
    assert POLICY_LOSS_DEFAULTS["gspo"]["clip_low"] == 3e-4 and POLICY_LOSS_DEFAULTS["gspo"]["clip_high"] == 4e-4


# ---------------------------------------------------------------------------------------------- CISPO


def test_cispo_hand_computed_keeps_gradient_of_clipped_tokens():
    # token 1: ρ = e^0.5 = 1.6487 → weight 1.2, log π = −0.5, A = 2: ℓ = −1.2·2·(−0.5) = 1.2, ∂ℓ/∂logp = −2.4
    # token 2: ρ = e^-0.1 → weight e^-0.1 (no lower clip), log π = −1.1: ℓ = −e^-0.1·2·(−1.1)
    w2 = math.exp(-0.1)
    loss, m, grad = run("cispo", [[-0.5, -1.1]], [[-1.0, -1.0]], [2.0], [[1, 1]])
    assert loss == pytest.approx((1.2 + w2 * 2 * 1.1) / 2, rel=1e-9)  # token-mean
    assert torch.allclose(grad, torch.tensor([[-2.4 / 2, -2 * w2 / 2]], dtype=torch.float64), rtol=1e-9)
    assert m["loss/clipfrac"] == 0.5
    # PPO drops the clipped token from the gradient; CISPO does not
    _, _, ppo_grad = run("ppo", [[-0.5, -1.1]], [[-1.0, -1.0]], [2.0], [[1, 1]])
    assert ppo_grad[0, 0] == 0.0 and grad[0, 0] != 0.0


def test_cispo_lower_clip_when_asked():
    loss, _, _ = run("cispo", [[-2.0]], [[-1.0]], [-1.0], [[1]], clip_low=0.2, clip_high=0.2)
    assert loss == pytest.approx(-0.8 * 1.0 * 2.0, rel=1e-9)  # −w·A·logπ = −0.8·(−1)·(−2)


# ---------------------------------------------------------------------------------------------- GMPO


def test_gmpo_hand_computed_sign_aware_clip():
    # response 1, A = 1: log-ratios 0.2, 0.6 → upper clip at 0.4 → R = e^0.3; response 2, A = −1: −0.6, 0.2 →
    # lower clip at −0.4 → R = e^-0.1. Loss = mean(−A·R).
    r1, r2 = math.exp(0.3), math.exp(-0.1)
    loss, m, grad = run("gmpo", [[0.2, 0.6], [-0.6, 0.2]], [[0.0, 0.0]] * 2, [1.0, -1.0], [[1, 1], [1, 1]])
    assert loss == pytest.approx((-r1 + r2) / 2, rel=1e-9)
    # ∂/∂x_t = −A·R/|y| on unclipped tokens, 0 on clipped ones; then / 2 responses
    expected = torch.tensor([[-r1 / 2 / 2, 0.0], [0.0, r2 / 2 / 2]], dtype=torch.float64)
    assert torch.allclose(grad, expected, rtol=1e-9)
    assert m["loss/clipfrac"] == 0.25 and m["loss/clipfrac_lower"] == 0.25
    # the clip is one-sided: A > 0 with a very low ratio is not clipped
    loss, _, _ = run("gmpo", [[-1.0]], [[0.0]], [1.0], [[1]])
    assert loss == pytest.approx(-math.exp(-1.0), rel=1e-9)


def test_gmpo_takes_no_aggregation():
    assert "agg" not in policy_loss_parameters("gmpo")
    # an aggregation given anyway is not used (as in verl): the mean over responses stays
    base, _, _ = run("gmpo", [[0.2, 0.0], [0.1, 0.0]], [[0.0, 0.0]] * 2, [1.0, 2.0], [[1, 1], [1, 0]])
    other, _, _ = run("gmpo", [[0.2, 0.0], [0.1, 0.0]], [[0.0, 0.0]] * 2, [1.0, 2.0], [[1, 1], [1, 0]],
                      agg="token-mean")
    assert other == base == pytest.approx((-math.exp(0.1) - 2 * math.exp(0.1)) / 2, rel=1e-9)


# ---------------------------------------------------------------------------------------------- SAPO


def test_sapo_hand_computed_soft_gate():
    # response 1: ρ = 1, A = 1, τ₊ = 1: gate σ(0)·4 = 2, ∂/∂logp = −A·4σ(1−σ)·ρ = −1
    # response 2: ρ = e^0.5, A = −1, τ₋ = 1.05: gate σ(1.05·(e^0.5 − 1))·4/1.05
    rho = math.exp(0.5)
    sig = sigmoid(1.05 * (rho - 1))
    loss, m, grad = run("sapo", [[0.0], [0.5]], [[0.0], [0.0]], [1.0, -1.0], [[1], [1]])
    assert loss == pytest.approx((-2.0 + sig * 4 / 1.05) / 2, rel=1e-9)
    assert torch.allclose(grad, torch.tensor([[-1.0 / 2], [4 * sig * (1 - sig) * rho / 2]], dtype=torch.float64),
                          rtol=1e-9)
    # τ₊ applies to A > 0 and τ₋ to A ≤ 0
    loss_pos, _, _ = run("sapo", [[0.5]], [[0.0]], [1.0], [[1]], tau_pos=2.0)
    assert loss_pos == pytest.approx(-sigmoid(2.0 * (rho - 1)) * 2.0, rel=1e-9)


# ---------------------------------------------------------------------------------- parity with verl

# Inputs and the numbers verl's compute_policy_loss_{gspo,cispo,geo_mean,sapo} (volcengine/verl @ b178a3c,
# verl/trainer/ppo/core_algos.py) return on them: loss and d loss / d log_prob (masked positions zeroed).
OLD = [[-1.0, -0.5, -2.0, -0.1], [-0.3, -1.2, -0.7, -3.0], [-0.9, -0.2, -1.5, -0.4]]
LOGP = [[-0.8, -0.6, -1.5, -0.1], [-0.5, -1.0, -0.7, -2.0], [-0.9, -0.1, -2.5, -0.4]]
MASK = [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0]]
ADV = [1.5, -0.7, 0.4]
VERL_HYPER = {"gspo": {"clip_low": 0.2, "clip_high": 0.28}, "cispo": {"clip_low": 1.0, "clip_high": 0.2},
              "gmpo": {"clip_low": 0.4, "clip_high": 0.4}, "sapo": {"tau_pos": 1.0, "tau_neg": 1.05}}
VERL_NUMBERS = {
    "gspo": (-0.4877532662, [[-0.14522928, -0.14522928, -0.14522928, -0.14522928],
                             [0.0777777775, 0.0777777775, 0.0777777775, 0.0], [-0.0700847394, -0.0700847394, 0, 0]]),
    "cispo": (0.4324449722, [[-0.2, -0.1508062363, -0.2, -0.1666666667],
                             [0.0636790586, 0.0933333333, 0.0777777778, 0.0], [-0.0444444444, -0.0491187075, 0, 0]]),
    "gmpo": (-0.4734103712, [[-0.1416435559, -0.1416435559, 0.0, -0.1416435559],
                             [0.0777777773, 0.0777777773, 0.0777777773, 0.0], [-0.070084739, -0.070084739, 0, 0]]),
    "sapo": (-0.9201780047, [[-0.1508195197, -0.1128489963, -0.1858423259, -0.1249999997],
                             [0.0631058047, 0.0937259555, 0.0777777775, 0.0], [-0.0666666663, -0.073474699, 0, 0]]),
}


@pytest.mark.parametrize("name", sorted(VERL_NUMBERS))
def test_matches_verl_reference_numbers(name):
    loss, _, grad = run(name, LOGP, OLD, ADV, MASK, **VERL_HYPER[name])
    want_loss, want_grad = VERL_NUMBERS[name]
    assert loss == pytest.approx(want_loss, rel=1e-5)
    assert torch.allclose(grad, torch.tensor(want_grad, dtype=torch.float64), rtol=1e-5, atol=1e-9)


# ------------------------------------------------------------------------------------ all losses together


@pytest.mark.parametrize("name", POLICY_LOSSES)
def test_gradient_check(name):
    """Autograd against finite differences (float64). CISPO's weight is stop-gradient by design, so its check
    is against the analytic −w·A / token_count instead."""
    g = torch.Generator().manual_seed(7)
    old = -1 - torch.rand(3, 5, generator=g, dtype=torch.float64)
    logp = (old + 0.1 * torch.randn(3, 5, generator=g, dtype=torch.float64)).requires_grad_(True)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]], dtype=torch.float64)
    adv = torch.tensor([1.3, -0.6, 0.9], dtype=torch.float64)
    hyper = {"ppo": {}, "gspo": {"clip_low": 0.2, "clip_high": 0.2}, "cispo": {"clip_high": 0.05},
             "gmpo": {"clip_low": 0.12, "clip_high": 0.12}, "sapo": {}}[name]
    if name != "cispo":
        assert torch.autograd.gradcheck(
            lambda lp: compute_policy_loss(lp, old, adv, mask, policy_loss=name, **hyper)[0], (logp,))
        return
    loss, _ = compute_policy_loss(logp, old, adv, mask, policy_loss="cispo", **hyper)
    loss.backward()
    weight = torch.exp(logp.detach() - old).clamp(max=1.05)  # [3, 5]
    assert torch.allclose(logp.grad, -weight * adv[:, None] * mask / mask.sum(), rtol=1e-9)


@pytest.mark.parametrize("name,agg", [(n, a) for n in POLICY_LOSSES for a in (None, *AGGREGATIONS)
                                      if n != "gmpo" or a is None])
def test_masked_nan_and_empty_responses_do_not_poison(name, agg):
    """Issue 12: NaN / −inf at masked positions (and the advantage of an empty response) must not reach the loss
    or its gradient: the result equals the one computed without them."""
    nan, inf = float("nan"), float("inf")
    logp = torch.tensor([[-0.5, -0.7, nan], [nan, nan, nan], [-0.2, -inf, -inf]], requires_grad=True)
    old = torch.tensor([[-0.6, -0.6, -inf], [-inf, nan, 0.0], [-0.3, nan, -inf]])
    mask = torch.tensor([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    adv = torch.tensor([1.0, nan, -0.5])
    ref = torch.tensor([[-0.4, -0.9, nan], [nan, nan, nan], [-0.1, -inf, nan]])
    entropy = torch.tensor([[1.0, 2.0, nan], [nan, nan, nan], [3.0, inf, nan]])
    weights = torch.tensor([[1.0, 1.5, nan], [nan, nan, nan], [0.5, inf, nan]])
    kwargs = {"agg": agg} if agg else {}
    loss, metrics = compute_policy_loss(logp, old, adv, mask, policy_loss=name, ref_logp=ref, kl_coef=0.1,
                                        entropy=entropy, entropy_coef=0.01, rollout_weights=weights, **kwargs)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(logp.grad).all()
    assert all(math.isfinite(v) for v in metrics.values()), metrics
    assert (logp.grad[mask == 0] == 0).all()
    # the same computation with clean values everywhere and the empty response left out
    clean = [0, 2]
    lp2 = torch.tensor([[-0.5, -0.7, 0.0], [-0.2, 0.0, 0.0]], requires_grad=True)
    loss2, _ = compute_policy_loss(lp2, torch.tensor([[-0.6, -0.6, 0.0], [-0.3, 0.0, 0.0]]), adv[clean], mask[clean],
                                   policy_loss=name, ref_logp=torch.tensor([[-0.4, -0.9, 0.0], [-0.1, 0.0, 0.0]]),
                                   kl_coef=0.1, entropy=torch.tensor([[1.0, 2.0, 0.0], [3.0, 0.0, 0.0]]),
                                   entropy_coef=0.01, rollout_weights=torch.tensor([[1.0, 1.5, 1.0], [0.5, 1.0, 1.0]]),
                                   **kwargs)
    loss2.backward()
    if (agg or POLICY_LOSS_DEFAULTS[name].get("agg")) == "seq-mean-token-sum-norm":
        assert loss.item() == pytest.approx(loss2.item() * 2 / 3, rel=1e-5)  # divides by N including the empty one
    else:
        assert loss.item() == pytest.approx(loss2.item(), rel=1e-5)
        assert torch.allclose(logp.grad[clean], lp2.grad, rtol=1e-5)


def test_rollout_weights_scale_per_token_loss():
    # with ρ = 1 everywhere PPO's per-token loss is −A; IS weights 2 and 0.5 give −A·(2 + 0.5)/2
    loss, _ = compute_policy_loss(torch.zeros(1, 2), torch.zeros(1, 2), torch.tensor([1.0]), torch.ones(1, 2),
                                  rollout_weights=torch.tensor([[2.0, 0.5]]))
    assert loss.item() == pytest.approx(-1.25)
    # GMPO: the geometric mean of the weights, √(2·0.5) = 1
    loss, _ = compute_policy_loss(torch.zeros(1, 2), torch.zeros(1, 2), torch.tensor([1.0]), torch.ones(1, 2),
                                  policy_loss="gmpo", rollout_weights=torch.tensor([[2.0, 0.5]]))
    assert loss.item() == pytest.approx(-1.0)


def test_registry_signatures_and_errors():
    assert tuple(POLICY_LOSS_FNS) == POLICY_LOSSES == ("ppo", "gspo", "cispo", "gmpo", "sapo")
    assert set(policy_loss_parameters("sapo")) >= {"tau_pos", "tau_neg", "agg"}
    assert "tau_pos" not in policy_loss_parameters("ppo") and "dual_clip" in policy_loss_parameters("ppo")
    args = (torch.zeros(1, 1), torch.zeros(1, 1), torch.ones(1), torch.ones(1, 1))
    with pytest.raises(ValueError, match="policy_loss 'nope'.*ppo"):
        compute_policy_loss(*args, policy_loss="nope")
    # hyper-parameters of other losses are not used: one set of keywords serves every loss
    plain, _ = compute_policy_loss(*args, policy_loss="ppo")
    assert compute_policy_loss(*args, policy_loss="ppo", tau_pos=3.0, tau_neg=3.0)[0].item() == plain.item()
    sapo, _ = compute_policy_loss(*args, policy_loss="sapo")
    assert compute_policy_loss(*args, policy_loss="sapo", clip_low=0.5, clip_high=0.5)[0].item() == sapo.item()
    with pytest.raises(ValueError, match="dual_clip"):
        compute_policy_loss(*args, policy_loss="gspo", dual_clip=3.0)


# ---------------------------------------------------------------------------------------- k3 KL clamp


def test_k3_kl_is_clamped_by_default():
    """Issue 12: one token with log-ratio −12 gave a k3 of e^12 − 13 ≈ 1.6e5 and dominated the update."""
    lp = torch.tensor([[-12.0, 0.0]], requires_grad=True)
    ref = torch.zeros(1, 2)
    raw = kl_penalty(lp, ref, "k3", clamp=None)
    assert raw[0, 0].item() == pytest.approx(math.exp(12) - 13, rel=1e-6)
    loss, m = compute_policy_loss(lp, lp.detach(), torch.zeros(1), torch.ones(1, 2), ref_logp=ref, kl_coef=1.0)
    assert m["loss/kl"] == pytest.approx(10.0 / 2)  # token-mean of (10, 0)
    loss.backward()
    assert lp.grad[0, 0] == 0.0  # a clamped token carries no gradient
    loss, m = compute_policy_loss(lp, lp.detach(), torch.zeros(1), torch.ones(1, 2), ref_logp=ref, kl_coef=1.0,
                                  kl_clamp=None)
    assert m["loss/kl"] == pytest.approx((math.exp(12) - 13) / 2, rel=1e-5)
    loss, m = compute_policy_loss(lp, lp.detach(), torch.zeros(1), torch.ones(1, 2), ref_logp=ref, kl_coef=1.0,
                                  kl_clamp=3.0)
    assert m["loss/kl"] == pytest.approx(1.5)
    # small log-ratios are untouched
    assert kl_penalty(torch.tensor([[-1.0]]), torch.tensor([[-2.0]])).item() == pytest.approx(math.exp(-1), rel=1e-6)


# ---------------------------------------------------------------------------------------------- config

REPO = __import__("pathlib").Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("name", ["gspo", "cispo", "gmpo", "sapo"])
def test_presets_with_and_without_agrae(name):
    from mmagrae.config import load_config

    plain = load_config(REPO / "configs" / f"qwen2_5_vl_3b_geo3k_{name}.yaml")
    agrae = load_config(REPO / "configs" / f"qwen2_5_vl_3b_geo3k_{name}_agrae.yaml")
    assert plain.algorithm.policy_loss == agrae.algorithm.policy_loss == name
    assert (plain.algorithm.estimator, agrae.algorithm.estimator) == ("grpo", "agrae")
    # the pair differs only in the estimator and the output folder
    a, b = plain.algorithm.__dict__.copy(), agrae.algorithm.__dict__.copy()
    a.pop("estimator"), b.pop("estimator")
    assert a == b and plain.rollout == agrae.rollout and plain.optim == agrae.optim
    defaults = POLICY_LOSS_DEFAULTS[name]
    derived = plain.derived
    get = derived.get if isinstance(derived, dict) else lambda k: getattr(derived, k)
    if "clip_low" in defaults:
        assert (get("clip_low"), get("clip_high")) == (defaults["clip_low"], defaults["clip_high"])
    if name == "sapo":
        assert (plain.algorithm.tau_pos, plain.algorithm.tau_neg) == (1.0, 1.05)


def test_policy_loss_defaults_follow_the_loss_unless_set():
    from mmagrae.config import load_config

    def derived(overrides):
        d = load_config(None, overrides).derived
        return d if isinstance(d, dict) else d.__dict__

    d = derived(["algorithm.policy_loss=gspo"])
    assert (d["clip_low"], d["clip_high"], d["loss_agg"]) == (3e-4, 4e-4, "seq-mean-token-mean")
    d = derived(["algorithm.policy_loss=gspo", "algorithm.clip_high=0.001"])
    assert d["clip_high"] == 0.001
    d = derived(["algorithm.loss=dapo"])  # ppo keeps the preset's
    assert (d["clip_low"], d["clip_high"], d["loss_agg"]) == (0.2, 0.28, "token-mean")


@pytest.mark.parametrize("override,message", [
    ("algorithm.kl_coef=-1", "config key 'algorithm.kl_coef': must be ≥ 0, got -1.0"),
    ("algorithm.kl_clamp=0", "config key 'algorithm.kl_clamp': must be > 0"),
    ("algorithm.rollout_is_threshold=0.5", "config key 'algorithm.rollout_is_threshold': must be > 1"),
    ("algorithm.rollout_is=tokens", "config key 'algorithm.rollout_is' = 'tokens' is not allowed"),
    ("algorithm.policy_loss=grpo", "config key 'algorithm.policy_loss' = 'grpo' is not allowed"),
    ("algorithm.tau_neg=0", "config key 'algorithm.tau_neg': must be > 0"),
])
def test_bad_values_are_one_line_errors(override, message):
    import subprocess
    import sys

    bad = subprocess.run([sys.executable, "-m", "mmagrae", "config", override], capture_output=True, text=True)
    assert bad.returncode != 0
    assert message in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
