"""Every connection option of every module falls back to its VEEAM_* variable only when that variable holds a
value: an empty one (AWX's blank credential field) counts as not set."""

import os

import pytest
from ansible.module_utils.errors import AnsibleFallbackNotFound

from ansible_collections.backupops.veeam.plugins.module_utils.environment import empty_env_unset, env_fallback_if_set
from ansible_collections.backupops.veeam.plugins.module_utils.veeam_module import em_connection_spec, vbr_connection_spec


@pytest.mark.parametrize("spec", [vbr_connection_spec(), em_connection_spec()], ids=["vbr", "em"])
def test_every_environment_fallback_skips_empty_values(spec):
    fallbacks = dict((name, option["fallback"]) for name, option in spec.items() if "fallback" in option)
    assert {"server", "port", "username", "password", "validate_certs", "ca_path", "timeout"} <= set(fallbacks)
    assert all(strategy is env_fallback_if_set for strategy, _names in fallbacks.values())


@pytest.mark.parametrize("value", ["", " ", "\t\n"])
def test_a_blank_variable_is_not_set(monkeypatch, value):
    monkeypatch.setenv("VEEAM_TEST_VALUE", value)
    with pytest.raises(AnsibleFallbackNotFound):
        env_fallback_if_set("VEEAM_TEST_VALUE")


def test_the_first_variable_with_a_value_wins(monkeypatch):
    monkeypatch.setenv("VEEAM_TEST_FIRST", "")
    monkeypatch.setenv("VEEAM_TEST_SECOND", "1.3-rev2")
    assert env_fallback_if_set("VEEAM_TEST_FIRST", "VEEAM_TEST_SECOND") == "1.3-rev2"
    monkeypatch.delenv("VEEAM_TEST_SECOND")
    with pytest.raises(AnsibleFallbackNotFound):
        env_fallback_if_set("VEEAM_TEST_FIRST", "VEEAM_TEST_SECOND")


def test_empty_variables_are_unset_within_the_block_only(monkeypatch):
    monkeypatch.setenv("VEEAM_EM_PORT", "")
    monkeypatch.setenv("VEEAM_EM_SERVER", "em01")
    monkeypatch.setenv("OTHER_EMPTY", "")
    with empty_env_unset("VEEAM_EM_"):
        assert "VEEAM_EM_PORT" not in os.environ
        assert os.environ["VEEAM_EM_SERVER"] == "em01" and os.environ["OTHER_EMPTY"] == ""
    assert os.environ["VEEAM_EM_PORT"] == ""
