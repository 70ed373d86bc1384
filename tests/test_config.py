"""The config system: merging order, error messages, derived values, every shipped config parses."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest

from mmagrae.config import Config, ConfigError, iter_help, load_config, parse_overrides

REPO = Path(__file__).resolve().parents[1]


def test_defaults_yaml_then_overrides(tmp_path):
    cfg_file = tmp_path / "c.yaml"
    cfg_file.write_text("algorithm:\n  alpha: 0.7\n  estimator: grpo\nrollout:\n  n: 4\n")
    cfg = load_config(cfg_file, ["algorithm.alpha=0.25", "trainer.max_steps=3"])
    assert cfg.algorithm.alpha == 0.25  # override beats YAML
    assert cfg.algorithm.estimator == "grpo"  # YAML beats default
    assert cfg.rollout.n == 4
    assert cfg.trainer.max_steps == 3
    assert cfg.optim.lr == Config().optim.lr  # default kept


def test_unknown_key_names_path_and_closest():
    with pytest.raises(ConfigError, match=r"unknown config key 'algorithm.alpah'; did you mean 'algorithm.alpha'\?"):
        load_config(None, ["algorithm.alpah=0.5"])
    with pytest.raises(ConfigError, match=r"unknown config key 'trainer.max_step'; did you mean 'trainer.max_steps'"):
        load_config(None, ["trainer.max_step=5"])


def test_unknown_section_lists_valid_keys():
    with pytest.raises(ConfigError, match=r"unknown config key 'zzz'; valid keys: model, data, rollout"):
        load_config(None, ["zzz.a=1"])


def test_unknown_key_in_yaml(tmp_path):
    f = tmp_path / "bad.yaml"
    f.write_text("rollout:\n  temprature: 0.7\n")
    with pytest.raises(ConfigError, match=r"'rollout.temprature'; did you mean 'rollout.temperature'"):
        load_config(f)


def test_bad_choice_lists_allowed_values():
    with pytest.raises(ConfigError) as err:
        load_config(None, ["algorithm.estimator=agre"])
    msg = str(err.value)
    assert "algorithm.estimator" in msg and "'agre'" in msg
    for name in ("grpo", "dr_grpo", "agrae", "rloo", "easy_focused", "hard_focused"):
        assert f"'{name}'" in msg


def test_bad_types_and_ranges():
    with pytest.raises(ConfigError, match=r"'rollout.n' expects an integer, got 'many'"):
        load_config(None, ["rollout.n=many"])
    with pytest.raises(ConfigError, match=r"'rollout.n' expects an integer, got 2.5"):
        load_config(None, ["rollout.n=2.5"])
    with pytest.raises(ConfigError, match=r"'algorithm.alpha': must be in \(0, 1\], got 1.5"):
        load_config(None, ["algorithm.alpha=1.5"])
    with pytest.raises(ConfigError, match=r"'rollout.n': group-relative estimators need ≥ 2"):
        load_config(None, ["rollout.n=1"])
    with pytest.raises(ConfigError, match=r"'model.lora.enabled' expects true or false"):
        load_config(None, ["model.lora.enabled=maybe"])
    with pytest.raises(ConfigError, match=r"'algorithm.mini_batch_size': must divide"):
        load_config(None, ["trainer.prompts_per_step=8", "algorithm.mini_batch_size=3"])
    with pytest.raises(ConfigError, match=r"'distributed.deepspeed': file not found"):
        load_config(None, ["distributed.deepspeed=/nope.json"])


def test_yaml_off_means_off(tmp_path):
    f = tmp_path / "c.yaml"
    f.write_text("algorithm:\n  dynamic_sampling: off\n")
    assert load_config(f).algorithm.dynamic_sampling == "off"


def test_derived_values_follow_presets():
    dapo = load_config(None, ["algorithm.loss=dapo"]).derived
    assert dapo.clip_high == 0.28 and dapo.loss_agg == "token-mean" and dapo.kl_coef == 0.0
    assert not dapo.needs_reference
    dr = load_config(None, ["algorithm.loss=dr_grpo"]).derived
    assert dr.loss_agg == "seq-mean-token-sum-norm"
    custom = load_config(None, ["algorithm.loss=grpo", "algorithm.clip_high=0.3", "algorithm.kl_coef=0"]).derived
    assert custom.clip_high == 0.3 and not custom.needs_reference
    mini = load_config(None, ["trainer.prompts_per_step=8", "algorithm.mini_batch_size=4", "algorithm.ppo_epochs=2"]).derived
    assert mini.optimizer_steps_per_rl_step == 4 and mini.needs_old_logp and mini.mini_batch_prompts == 4
    assert not load_config(None).derived.needs_old_logp
    with pytest.raises(dataclasses.FrozenInstanceError):  # computed once, read-only
        mini.kl_coef = 1.0  # type: ignore[misc]


def test_parse_overrides_reads_yaml_scalars():
    assert parse_overrides(["a.b=1", "a.c=[1, 2]", "d=true", "e.f=1.0e-6"]) == {
        "a": {"b": 1, "c": [1, 2]}, "d": True, "e": {"f": 1e-6}}
    with pytest.raises(ConfigError, match="must look like section.key=value"):
        parse_overrides(["oops"])


def test_every_field_has_help():
    for key, _default, help_text in iter_help():
        assert help_text, f"{key} has no help"


@pytest.mark.parametrize("path", sorted((REPO / "configs").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_configs_parse(path):
    cfg = load_config(path)
    assert cfg.rollout.n >= 2


def test_paper_config_matches_the_paper():
    cfg = load_config(REPO / "configs" / "qwen2_5_vl_3b_geo3k_agrae.yaml")
    assert (cfg.trainer.prompts_per_step, cfg.rollout.n, cfg.optim.lr, cfg.rollout.temperature) == (512, 5, 1e-6, 1.0)
    assert cfg.rollout.max_new_tokens == 2048 and cfg.algorithm.alpha == 0.5 and cfg.algorithm.estimator == "agrae"
    assert (cfg.reward.accuracy_weight, cfg.reward.format_weight) == (0.9, 0.1)
    assert cfg.rollout.backend == "vllm"
    assert load_config(REPO / "configs" / "qwen2_5_math_7b_math_agrae.yaml").algorithm.alpha == 1.0


def test_config_cli_prints_and_fails_clearly():
    run = [sys.executable, "-m", "mmagrae", "config"]
    ok = subprocess.run(run + [str(REPO / "configs" / "tiny_cpu_geometry.yaml"), "rollout.n=4"],
                        capture_output=True, text=True, check=True)
    assert "n: 4" in ok.stdout and "derived:" in ok.stdout
    bad = subprocess.run(run + ["algorithm.alpah=1"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert "unknown config key 'algorithm.alpah'; did you mean 'algorithm.alpha'?" in bad.stderr


def test_scientific_notation_without_dot_still_a_number():
    assert load_config(None, ["optim.lr=1e-6"]).optim.lr == 1e-6
