"""`growthcycle demo`: the whole system on 127.0.0.1 with no AWS account."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from growthcycle.local.seed import DEMO_TRUST


def run(args: argparse.Namespace) -> int:
    data_dir = Path(args.data).resolve()
    trust_file = Path(args.trust).resolve() if args.trust else DEMO_TRUST
    port: int = args.port

    # Refuse to start with a broken form or trust file: say which, and stop.
    from growthcycle.domain.form_layers import trust_forms
    from growthcycle.domain.forms import FormDefinitionError, load_forms
    from growthcycle.domain.trust import TrustConfigInvalid, load_trust

    try:
        shipped = load_forms()
        trust = load_trust(trust_file)
    except FormDefinitionError as error:
        print(
            f"growthcycle demo: a form is broken, so the app will not start: {error}",
            file=sys.stderr,
        )
        return 1
    except TrustConfigInvalid as error:
        print(f"growthcycle demo: {trust_file}: " + "; ".join(error.problems), file=sys.stderr)
        return 1
    # The trust's and its schools' own forms (growthcycle forms check --trust says the same).
    _, problems = trust_forms(shipped, trust_file, trust.schools)
    if problems:
        print(
            "growthcycle demo: a trust form is broken, so the app will not start:", file=sys.stderr
        )
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1

    from growthcycle.local.stack import LocalStack

    stack = LocalStack(data_dir)
    print("Starting the local stack (moto on 127.0.0.1)...", flush=True)
    stack.start()
    base_url = f"http://127.0.0.1:{port}"
    os.environ.update(
        {
            "TRUST_NAME": trust.trust.name,
            "SENDER_ADDRESS": trust.trust.sender_address,
            "BASE_URL": base_url,
            "LINK_EXPIRY_DAYS": str(trust.trust.link_expiry_days),
            "RETENTION_YEARS": str(trust.trust.retention_years),
            "ESCALATION_WORKING_DAYS": str(trust.trust.escalation_working_days),
        }
    )
    stack.verify_sender(trust.trust.sender_address)

    from growthcycle.adapters.store import Store
    from growthcycle.config import get_settings
    from growthcycle.handlers import mailer
    from growthcycle.local.seed import seed
    from growthcycle.local.server import make_server
    from growthcycle.local.tools import local_routes
    from growthcycle.local.workers import ApiWorkers

    store = Store(get_settings().table_name)
    if stack.has_saved_records():
        count = stack.restore()
        print(f"Restored {count} records from {data_dir}.")
        from growthcycle.local.seed import put_trust

        put_trust(store, trust, trust_file)  # the trust file may have changed since
    else:
        _, people = seed(store, trust_file)
        print(f"Seeded {trust.trust.name}: {len(trust.schools)} schools, {len(people)} people.")
        stack.save()
    stack.start_stream_consumer(mailer.lambda_handler)
    demo_provider = _start_demo_provider(store, trust)

    workers = ApiWorkers(args.workers)
    try:
        server = make_server(port, workers, local_routes(stack, trust), stack.save_soon)
    except OSError as error:
        print(
            f"growthcycle demo: cannot listen on 127.0.0.1:{port}: {error.strerror}. "
            "Try --port with another number.",
            file=sys.stderr,
        )
        workers.close()
        stack.stop()
        return 1

    print(
        f"""
Growth Cycle is running at {base_url}/

  Start here:  {base_url}/_local/       pick a demo person to act as
  Mail:        {base_url}/_local/mail   every email sent, with working links
  Clock:       {base_url}/_local/clock  set "today" and run the daily deadline check
  Sign in:     {base_url}/sign-in       by emailed link, or "Sign in with the demo provider"
               (a local OpenID Connect provider at {demo_provider.issuer}, as Microsoft or
               Google would be for a trust)

Records are kept in {data_dir} and survive a restart.
To start afresh, stop the demo and delete that folder (rm -rf {data_dir}).
Press Ctrl-C to stop.
""",
        flush=True,
    )

    def stop(signum: int, frame: FrameType | None) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass
    finally:
        print("\nStopping: saving records...", flush=True)
        server.server_close()
        workers.close()
        demo_provider.stop()
        stack.stop()
        print(f"Stopped. Records are in {data_dir}.")
    return 0


def _start_demo_provider(store: Any, trust: Any) -> Any:
    """Issue 16: the demo offers single sign-on the way a trust's Microsoft or Google would, from
    a local OpenID Connect provider whose accounts are the demo's people."""
    from growthcycle.adapters import oidc
    from growthcycle.domain.sign_in_providers import SignInProvider
    from growthcycle.local.oidc_provider import DemoProvider

    def accounts() -> list[tuple[str, str]]:
        people = [p for s in trust.schools for p in store.people_in_school(s.id)]
        return sorted({(p.email, p.name) for p in people})

    provider = DemoProvider(accounts=accounts).start()
    demo = SignInProvider(
        id="demo",
        kind="oidc",
        name="the demo provider",
        client_id=provider.client_id,
        issuer=provider.issuer,
    )
    oidc.put_providers(store, (*trust.trust.sign_in, demo))
    return provider
