"""`growthcycle keys rotate [--secret-arn ARN] [--keep-days N] [--emergency]`: a new link- and
session-signing key (issue 13, item 5; docs/operations.md "Rotating the link-signing key").

Routine: the old key still verifies for `--keep-days` (at least the trust's link expiry), so
nobody is signed out and no emailed link breaks; running functions pick the new key up within
five minutes, or at once when they meet a token signed with it. `--emergency`: nothing old
stays valid, so every link and session ends at once (a key that may have leaked).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from growthcycle.adapters.keys import KeyRingInvalid, rotate


def _local_secrets() -> tuple[Any, str]:
    import boto3

    from growthcycle.cli.target import LOCAL_REGION, TargetUnknown, _local_endpoint, local_data_dir
    from growthcycle.local.stack import SECRET_NAME

    try:
        endpoint = _local_endpoint(local_data_dir())
    except TargetUnknown as problem:
        raise SystemExit(f"growthcycle keys: {problem}") from problem
    sm = boto3.client(
        "secretsmanager",
        endpoint_url=endpoint,
        region_name=LOCAL_REGION,
        aws_access_key_id="local",
        aws_secret_access_key="local",  # noqa: S106  # nosec B106
    )
    return sm, SECRET_NAME


def run(args: argparse.Namespace) -> int:
    if args.keep_days < 1:
        print("growthcycle keys: --keep-days must be at least 1", file=sys.stderr)
        return 2
    sm: Any = None
    arn = args.secret_arn or os.environ.get("SIGNING_KEY_SECRET_ARN")
    if args.endpoint_url == "local":
        sm, local_arn = _local_secrets()
        arn = args.secret_arn or local_arn
    if not arn:
        print(
            "growthcycle keys: which secret? Pass --secret-arn (the stack's SigningKeySecretArn "
            "output) or --endpoint-url local",
            file=sys.stderr,
        )
        return 2
    try:
        done = rotate(arn, keep_days=args.keep_days, emergency=args.emergency, secrets_client=sm)
    except KeyRingInvalid as problem:
        print(f"growthcycle keys: {problem}; nothing was changed", file=sys.stderr)
        return 1
    if args.endpoint_url == "local":
        # The local stack makes its secret from this file at each start: keep the ring there.
        from growthcycle.cli.target import local_data_dir

        key_file = local_data_dir() / "signing-key"
        key_file.write_text(sm.get_secret_value(SecretId=arn)["SecretString"])
        key_file.chmod(0o600)
    print(f"new signing key {done['current']} in {arn}")
    if done["until"]:
        print(
            f"the previous key ({', '.join(done['still_accepted'])}) still verifies links and "
            f"sessions until {done['until']}; nobody is signed out"
        )
    else:
        print("emergency: no old key is kept; every emailed link and session has ended")
    print("running functions use the new key within five minutes; nothing to redeploy")
    return 0
