"""The local stack: moto in server mode on 127.0.0.1 standing in for AWS, with the same table
(built from template.yaml), the SES sender identity, the signing-key secret and the table's
stream feeding the mailer function, exactly as Lambda would. Never deployed."""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

REGION = "eu-west-2"
TABLE_NAME = "growthcycle-local"
SECRET_NAME = "growthcycle-local/signing-key"  # noqa: S105 - a name, not a secret
SAVE_EVERY_SECONDS = 1.0
LOCAL_SWEEP_SECONDS = 3  # the outbox sweep: how often, and how old an unsent email must be
# The journal (local/journal.py) holds every write; a snapshot of the whole table replaces it
# once it is this large, so a restart replays little.
COMPACT_JOURNAL_BYTES = 8 * 1024 * 1024


@dataclass
class LocalContext:
    """Enough of a LambdaContext for Powertools."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


@dataclass(frozen=True)
class SentMail:
    message_id: str
    sent_at: float
    sender: str
    to: list[str]
    subject: str
    html: str
    text: str


def _parse_raw(raw: str | bytes) -> tuple[str, str, str]:
    data = raw.encode() if isinstance(raw, str) else raw
    message = message_from_bytes(data, policy=policy.default)
    subject = str(message.get("Subject", ""))
    html_part = message.get_body(preferencelist=("html",))
    text_part = message.get_body(preferencelist=("plain",))
    html = html_part.get_content() if html_part is not None else ""
    text = text_part.get_content() if text_part is not None else ""
    return subject, html, text


class LocalStack:
    """Start moto, point boto3 at it, create what template.yaml would, and keep records on disk."""

    def __init__(self, data_dir: Path, *, port: int = 0) -> None:
        self.data_dir = data_dir
        self.port = port
        self.server: Any = None
        self.endpoint = ""
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self.previous_mail: list[SentMail] = []
        self._seen_mail: dict[str, float] = {}
        self._last_sweep = 0.0
        self._dirty = threading.Event()
        self._saver_started = False
        self._saver_lock = threading.Lock()
        from growthcycle.local.journal import Journal

        self.journal = Journal(data_dir, TABLE_NAME)

    # -- start and stop -----------------------------------------------------------------------

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        from growthcycle.local import moto_transactions

        moto_transactions.install()  # moto copies the whole table for each transaction item
        from growthcycle.local import journal

        journal.install(self.journal)  # every write on disk before moto answers it
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{port}"
        # Other commands (staff import, export, report) reach the running stack through this.
        (self.data_dir / "endpoint").write_text(self.endpoint)
        self._environment()
        self._create_resources()

    def _environment(self) -> None:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": "local",
                "AWS_SECRET_ACCESS_KEY": "local",
                "AWS_DEFAULT_REGION": REGION,
                "AWS_REGION": REGION,
                "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
                "POWERTOOLS_TRACE_DISABLED": "true",
                "POWERTOOLS_METRICS_NAMESPACE": "GrowthCycle",
                "POWERTOOLS_DEV": "false",
                "TABLE_NAME": TABLE_NAME,
                "GROWTHCYCLE_LOCAL_CLOCK_FILE": str(self.clock_file),
            }
        )
        from growthcycle.adapters.aws import reset_clients

        reset_clients()

    @property
    def clock_file(self) -> Path:
        return self.data_dir / "today"

    def _create_resources(self) -> None:
        from growthcycle.adapters.aws import client
        from growthcycle.local.table import create_table

        create_table(client("dynamodb"), TABLE_NAME)
        key_file = self.data_dir / "signing-key"
        if not key_file.exists():
            key_file.write_text(secrets.token_urlsafe(48))
            key_file.chmod(0o600)
        arn = client("secretsmanager").create_secret(
            Name=SECRET_NAME, SecretString=key_file.read_text().strip()
        )["ARN"]
        os.environ["SIGNING_KEY_SECRET_ARN"] = arn

    def verify_sender(self, address: str) -> None:
        from growthcycle.adapters.aws import client

        client("ses").verify_email_identity(EmailAddress=address)
        client("sesv2").create_email_identity(EmailIdentity=address.split("@", 1)[1])

    def stop(self) -> None:
        self._stop.set()
        self._dirty.set()  # wake the saver so it can see the stop
        for thread in self._threads:
            thread.join(timeout=5)
        self.save()
        self.journal.close()
        if self.server is not None:
            self.server.stop()

    # -- the table's stream feeds the mailer, as Lambda's event source mapping would -----------

    def start_stream_consumer(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        thread = threading.Thread(
            target=self._consume_stream, args=(handler,), name="stream", daemon=True
        )
        thread.start()
        self._threads.append(thread)

    def _consume_stream(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        from growthcycle.adapters.aws import client
        from growthcycle.observability import logger

        ddb = client("dynamodb")
        streams = client("dynamodbstreams")
        arn = ddb.describe_table(TableName=TABLE_NAME)["Table"]["LatestStreamArn"]
        iterators: dict[str, str | None] = {}
        while not self._stop.is_set():
            try:
                for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
                    shard_id = shard["ShardId"]
                    if shard_id not in iterators:
                        iterators[shard_id] = streams.get_shard_iterator(
                            StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                        )["ShardIterator"]
                    iterator = iterators[shard_id]
                    if iterator is None:
                        continue
                    page = streams.get_records(ShardIterator=iterator, Limit=25)
                    iterators[shard_id] = page.get("NextShardIterator")
                    records = [r for r in page.get("Records", []) if r.get("eventName") == "INSERT"]
                    if records:
                        result = handler(
                            {"Records": records}, LocalContext(function_name="MailerFunction")
                        )
                        failures = (result or {}).get("batchItemFailures") or []
                        if failures:
                            logger.warning("mailer reported failures", count=len(failures))
                self._redeliver_stranded(handler)
            except Exception:  # the local consumer must keep running, as Lambda's poller does
                logger.exception("stream consumer error")
            self._stop.wait(0.3)

    def _redeliver_stranded(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        """The outbox sweep, as the deployed schedule runs it (template.yaml, every five
        minutes), but every few seconds with a few seconds' grace: moto's stream can miss a
        record written while it is being read from another thread (Lambda's own poller does
        not). The same handler and the same code (adapters/delivery.sweep) as in AWS."""
        now = time.time()
        if now - self._last_sweep < LOCAL_SWEEP_SECONDS:
            return
        self._last_sweep = now
        handler(
            {"outbox": "sweep", "older_than_seconds": LOCAL_SWEEP_SECONDS},
            LocalContext(function_name="MailerFunction"),
        )

    # -- sent mail, newest first ----------------------------------------------------------------

    def sent_mail(self) -> list[SentMail]:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.ses.models import ses_backends

        current: list[SentMail] = []
        backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
        for message in list(backend.sent_messages):
            first_seen = self._seen_mail.setdefault(message.id, time.time())
            if hasattr(message, "raw_data"):
                subject, html, text = _parse_raw(message.raw_data)
                # moto adds the raw message's To header to its destinations: each address once.
                from growthcycle.web.mail import unique_addresses

                to = unique_addresses(message.destinations)
            else:
                subject, html, text = message.subject, message.body, ""
                to = list(message.destinations.get("ToAddresses", []))
            current.append(
                SentMail(message.id, first_seen, message.source, to, subject, html, text)
            )
        return sorted(self.previous_mail + current, key=lambda m: m.sent_at, reverse=True)

    # -- records survive a restart, and a kill ----------------------------------------------------
    #
    # What is kept, exactly: every write to the table that moto acknowledged (so every save the
    # browser was told of) is in `journal.jsonl` before the answer leaves this process, and a
    # restart replays it over `table.json`, the last snapshot (local/journal.py). The mail view's
    # copy of sent emails (`mail.json`) is still written at most once a second: after a kill the
    # last second's emails may be missing from /_local/mail, while their outbox items in the
    # table still say they were sent.

    @property
    def table_file(self) -> Path:
        return self.data_dir / "table.json"

    @property
    def mail_file(self) -> Path:
        return self.data_dir / "mail.json"

    def has_saved_records(self) -> bool:
        return self.table_file.exists() or self.journal.exists()

    def save(self) -> None:
        """A snapshot: every item and every sent email to the data folder, and the journal it
        replaces dropped (local stack only: a copy of a small local table from moto's memory,
        never done by the deployed functions)."""
        with self._lock:
            with self.journal.lock:  # no write is journaled between the copy and the rotation
                items = self._items()
                self.journal.rotate()
            tmp = self.table_file.with_suffix(".tmp")
            tmp.write_text(json.dumps(items))
            tmp.replace(self.table_file)
            self.journal.drop_old()
            self._save_mail()

    def _save_mail(self) -> None:
        mails = [m.__dict__ for m in self.sent_mail()]
        tmp = self.mail_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(mails))
        tmp.replace(self.mail_file)

    def _items(self, pk_prefix: str = "") -> list[dict[str, Any]]:
        """The local table's items (those whose pk starts with `pk_prefix`), in DynamoDB's JSON,
        read from moto's memory (this process runs moto): no HTTP and no Scan paging, so saving
        and the outbox sweep stay cheap as the table grows. Local stack only."""
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(TABLE_NAME)

        def copy() -> list[dict[str, Any]]:
            return [
                item.to_json()["Attributes"]
                for item in table.all_items()
                if str(item.hash_key.value).startswith(pk_prefix)
            ]

        for _ in range(5):
            try:  # a request thread may add an item while we copy: take the copy again
                return copy()
            except RuntimeError:
                time.sleep(0.01)
        return copy()

    def save_soon(self) -> None:
        """Ask for the mail view to be saved after a write, and a snapshot when the journal has
        grown (the writes themselves are already in the journal). Coalesced: at most once every
        SAVE_EVERY_SECONDS, on a thread of their own, so a request never waits for a copy of the
        whole table. `stop()` takes a snapshot, so a clean stop leaves no journal."""
        if not self._saver_started:
            with self._saver_lock:
                if not self._saver_started:
                    thread = threading.Thread(target=self._saver, name="saver", daemon=True)
                    thread.start()
                    self._threads.append(thread)
                    self._saver_started = True
        self._dirty.set()

    def _saver(self) -> None:
        from growthcycle.observability import logger

        while not self._stop.is_set():
            self._dirty.wait()
            if self._stop.wait(SAVE_EVERY_SECONDS):
                return  # stop() saves
            self._dirty.clear()
            try:
                if self.journal.size() > COMPACT_JOURNAL_BYTES:
                    self.save()
                else:
                    with self._lock:
                        self._save_mail()
            except Exception:  # keep saving later writes; the final save on stop still runs
                logger.exception("local save failed")

    def restore(self) -> int:
        """Load the last snapshot, replay the journal over it, then take a fresh snapshot."""
        from growthcycle.adapters.aws import client

        def key(item: dict[str, Any]) -> tuple[str, str]:
            return item["pk"]["S"], item["sk"]["S"]

        snapshot = json.loads(self.table_file.read_text()) if self.table_file.exists() else []
        by_key = {key(item): item for item in snapshot}
        for entry in self.journal.entries():
            if "put" in entry:
                by_key[key(entry["put"])] = entry["put"]
            elif "delete" in entry:
                by_key.pop(key(entry["delete"]), None)
        items = list(by_key.values())
        ddb = client("dynamodb")
        self.journal.paused = True  # these writes are already on disk
        try:
            for start in range(0, len(items), 25):
                batch = [{"PutRequest": {"Item": item}} for item in items[start : start + 25]]
                ddb.batch_write_item(RequestItems={TABLE_NAME: batch})
        finally:
            self.journal.paused = False
        if self.mail_file.exists():
            self.previous_mail = [SentMail(**m) for m in json.loads(self.mail_file.read_text())]
        self.save()
        return len(items)
