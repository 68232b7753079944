"""A seeded sandbox (emulator, Radicale, Dovecot when installed) in a throwaway instance folder."""
from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis as redis_lib

from app.config import Config
from app.migrate import upgrade
from app.runtime import Runtime
from sandbox.environment import SandboxEnvironment
from sandbox.seed import SandboxSeed, seed_sandbox
from tests.realservers.fixtures import LOOPBACK_MAIL_HOSTS

PUBLIC_URL = "http://127.0.0.1:5000"


@dataclass
class Sandbox:
    instance: Path
    rt: Runtime
    env: SandboxEnvironment
    seed: SandboxSeed


def make_instance() -> Path:
    """Under /tmp, searchable by others: Dovecot's mail processes run as nobody (pytest's tmp is 0700)."""
    root = Path(tempfile.mkdtemp(prefix="syncline-sandbox-test-"))
    os.chmod(root, 0o755)
    return root / "instance"


def runtime_for(instance: Path, redis_url: str) -> Runtime:
    """The product's runtime on the instance's own SQLite file and generated key file."""
    config = Config(env="development", instance_dir=instance, database_url=f"sqlite:///{instance / 'syncline.db'}",
                    redis_url=redis_url, key_file=instance / "secret.key")
    instance.mkdir(parents=True, exist_ok=True)
    upgrade(config.database_url)
    return Runtime.build(config)


def start_sandbox(instance: Path, rt: Runtime) -> Sandbox:
    env = SandboxEnvironment.start(instance / "sandbox", PUBLIC_URL)
    try:
        return Sandbox(instance, rt, env, seed_sandbox(rt, env))
    except BaseException:
        env.stop()
        raise


@pytest.fixture(scope="module")
def sandbox(redis_url):
    # The session's Redis outlives other modules' orgs (a rate-limit pause on org 1, say):
    # the sandbox starts from an empty one, as `syncline up` does.
    redis_lib.Redis.from_url(redis_url).flushdb()
    instance = make_instance()
    rt = runtime_for(instance, redis_url)
    started = start_sandbox(instance, rt)
    yield started
    started.env.stop()
    rt.db.dispose()
    shutil.rmtree(instance.parent, ignore_errors=True)


def worker_runtime(sandbox: Sandbox, **ca_bundles: str) -> Runtime:
    """A runtime as `up`'s worker gets it: trusting the emulator and, by ``ca_bundles`` (e.g.
    ``graph_ca_bundle``), a provider fake; loopback mail hosts allowed."""
    emu = sandbox.env.emulator
    return Runtime.build(sandbox.rt.config.with_overrides(
        salesforce_login_url=emu.base_url, salesforce_allowed_hosts=(urlsplit(emu.base_url).netloc,),
        salesforce_ca_bundle=str(emu.ca_path), allowed_mail_hosts=LOOPBACK_MAIL_HOSTS, **ca_bundles))
