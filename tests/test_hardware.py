import os

from keras_gans.hardware import onednn_enabled, usable_cores


def test_usable_cores_follows_the_affinity_mask(monkeypatch):
    # A container or `taskset` may allow 2 of the machine's 8 cores: the pools should get 2.
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 3}, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert usable_cores() == 2


def test_usable_cores_falls_back_to_the_machine_count(monkeypatch):
    # macOS and Windows have no affinity mask; an unknown count still gives one core.
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert usable_cores() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert usable_cores() == 1


def test_onednn_enabled_is_a_plain_bool_on_this_build():
    # The CPU wheel of requirements.txt reports it; None is for builds without the private module.
    assert onednn_enabled() in (True, False)
    assert type(onednn_enabled()) is bool
