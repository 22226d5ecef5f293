"""A real S3-compatible server for tests: MiniStack with signature checking on, on a loopback port."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aioboto3
import httpx
from storyscape_devtools.testing import free_port

SERVICE_DIR = Path(__file__).resolve().parents[2]
ENSURE_SCRIPT = SERVICE_DIR / "scripts" / "ensure_ministack.sh"
REGION = "us-east-1"
S3_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


@dataclass(frozen=True)
class S3Credentials:
    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    region: str = REGION


def ensure_ministack() -> str:
    """Install MiniStack into its own virtualenv if needed; return its executable."""
    done = subprocess.run(["bash", str(ENSURE_SCRIPT)], check=True, capture_output=True, text=True, timeout=600)
    return done.stdout.strip().splitlines()[-1]


class MiniStackServer:
    """Starts MiniStack with AUTH=true; its root key is never signature-checked, so tests use an IAM user's key."""

    def __init__(self) -> None:
        self.port = free_port()
        self.root = S3Credentials(
            endpoint_url=f"http://127.0.0.1:{self.port}",
            access_key_id="AKIA" + secrets.token_hex(8).upper(),
            secret_access_key=secrets.token_urlsafe(30),
        )
        self.process: subprocess.Popen[bytes] | None = None
        handle, log_name = tempfile.mkstemp(prefix="ministack-", suffix=".log")
        os.close(handle)
        self.log = Path(log_name)
        self.startup_seconds = 0.0

    def start(self, executable: str) -> None:
        env = {
            **os.environ,
            "AUTH": "true",
            "BIND_HOST": "127.0.0.1",
            "GATEWAY_PORT": str(self.port),
            "AWS_ACCESS_KEY_ID": self.root.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.root.secret_access_key,
            "LOG_LEVEL": "WARNING",
            "S3_PERSIST": "0",
        }
        started = time.monotonic()
        with self.log.open("wb") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen([executable], env=env, stdout=log, stderr=subprocess.STDOUT)
        self._wait_until_ready(deadline=started + 60)
        self.startup_seconds = time.monotonic() - started

    def _wait_until_ready(self, *, deadline: float) -> None:
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"MiniStack exited with {self.process.returncode}; see {self.log}")
            try:
                if httpx.get(f"{self.root.endpoint_url}/_ministack/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"MiniStack did not become ready; see {self.log}")

    async def create_s3_user(self, *, name: str) -> S3Credentials:
        """With the root key: an IAM user with an `s3:*` policy, and an access key for it."""
        session = aioboto3.Session(
            aws_access_key_id=self.root.access_key_id,
            aws_secret_access_key=self.root.secret_access_key,
            region_name=REGION,
        )
        async with session.client("iam", endpoint_url=self.root.endpoint_url) as iam:
            await iam.create_user(UserName=name)
            await iam.put_user_policy(UserName=name, PolicyName="s3-full", PolicyDocument=json.dumps(S3_FULL_ACCESS))
            key = (await iam.create_access_key(UserName=name))["AccessKey"]
        return S3Credentials(self.root.endpoint_url, key["AccessKeyId"], key["SecretAccessKey"])

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.unlink(missing_ok=True)
