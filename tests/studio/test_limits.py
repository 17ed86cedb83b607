"""Server limits from the environment and the container: MLP_STUDIO_MAX_JOBS, JOB_SECONDS, CPUs."""

import os

import pytest

from studio import limits


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def cpus(monkeypatch):
    """Pretend the process may run on 8 CPUs (and forget what was read before)."""
    monkeypatch.setattr(os, "process_cpu_count", lambda: 8, raising=False)
    limits.available_cpus.cache_clear()
    yield
    limits.available_cpus.cache_clear()


def test_cgroup_v2_quota_caps_the_host_count(tmp_path, cpus):
    write(tmp_path / "cpu.max", "150000 100000\n")
    assert limits.cgroup_cpu_quota(tmp_path) == 1.5
    assert limits.available_cpus(tmp_path) == 1


def test_cgroup_v2_without_a_quota(tmp_path, cpus):
    write(tmp_path / "cpu.max", "max 100000\n")
    assert limits.cgroup_cpu_quota(tmp_path) is None
    assert limits.available_cpus(tmp_path) == 8


def test_cgroup_v1_quota(tmp_path, cpus):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "300000\n")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert limits.available_cpus(tmp_path) == 3
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1\n")
    assert limits.available_cpus(tmp_path) == 3, "read once per process"
    limits.available_cpus.cache_clear()
    assert limits.available_cpus(tmp_path) == 8


def test_a_tiny_quota_still_allows_one_job(tmp_path, cpus):
    write(tmp_path / "cpu.max", "20000 100000\n")
    assert limits.available_cpus(tmp_path) == 1


def test_no_cgroup_files_means_the_affinity_count(tmp_path, cpus):
    assert limits.available_cpus(tmp_path / "missing") == 8


@pytest.mark.parametrize("name, read, default", [
    ("MLP_STUDIO_MAX_JOBS", limits.max_jobs, 3),  # the available CPUs, patched to 3 below
    ("MLP_STUDIO_JOB_SECONDS", limits.max_job_seconds, 900)])
def test_settings_default_when_unset_or_blank(monkeypatch, name, read, default):
    monkeypatch.setattr(limits, "available_cpus", lambda: 3)
    monkeypatch.delenv(name, raising=False)
    assert read() == default
    for blank in ("", "  "):
        monkeypatch.setenv(name, blank)
        assert read() == default, f"{name}={blank!r}"


@pytest.mark.parametrize("name, read", [("MLP_STUDIO_MAX_JOBS", limits.max_jobs),
                                        ("MLP_STUDIO_JOB_SECONDS", limits.max_job_seconds)])
def test_settings_from_the_environment(monkeypatch, name, read):
    monkeypatch.setenv(name, " 7 ")
    assert read() == 7
    monkeypatch.setenv(name, "1")
    assert read() == 1, "the minimum itself is allowed"
    monkeypatch.setenv(name, "two")
    with pytest.raises(ValueError, match=f"{name} must be a whole number. Received: 'two'"):
        read()
    monkeypatch.setenv(name, "0")
    with pytest.raises(ValueError, match=f"{name} must be at least 1. Received: 0"):
        read()
