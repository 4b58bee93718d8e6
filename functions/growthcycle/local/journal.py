"""Local stack only: every write to the local table is on disk before moto answers it.

moto keeps the table in memory. The stack used to copy it to `table.json` at most once a second,
so a `kill -9` lost whatever the browser had been told was saved in that second (issue 18, item 9).
Now each write (PutItem, UpdateItem, DeleteItem, and every item of a BatchWriteItem or
TransactWriteItems) appends the item as it now stands, or its deletion, to `journal.jsonl` in the
data folder, one JSON line, before moto's HTTP answer leaves the stack's process. The API worker
answers the browser only after that answer, so nothing acknowledged is lost when the stack is
killed. The line is written with `os.write` (it survives the process being killed; a power cut
can still lose what the operating system had not yet flushed: no `fsync`, the demo does not need
the wait).

A restart loads `table.json` (the last snapshot) and replays the journal over it: each line holds
the whole item, so replaying a line twice changes nothing. Taking a snapshot moves the journal
aside first (`journal.old.jsonl`, replayed before the current one), so a kill in the middle of a
snapshot loses nothing either.

The item is read back from moto's memory after the write, under the journal's lock, so the last
line for an item is always what memory held when it was written, whatever order concurrent
writes finish in. Never deployed: the functions talk to DynamoDB.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CURRENT = "journal.jsonl"
OLD = "journal.old.jsonl"

_local = threading.local()
_active: Journal | None = None
_originals: dict[str, Any] = {}


class Journal:
    """The append-only journal of one table in `directory`."""

    def __init__(self, directory: Path, table_name: str) -> None:
        self.directory = directory
        self.table_name = table_name
        self.lock = threading.Lock()
        self.paused = False
        self._fd: int | None = None

    @property
    def current(self) -> Path:
        return self.directory / CURRENT

    @property
    def old(self) -> Path:
        return self.directory / OLD

    def exists(self) -> bool:
        return self.current.exists() or self.old.exists()

    def size(self) -> int:
        return sum(p.stat().st_size for p in (self.current, self.old) if p.exists())

    def _open(self) -> int:
        if self._fd is None:
            flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
            self._fd = os.open(self.current, flags, 0o600)
        return self._fd

    def record(self, backend: Any, table_name: str, keys: list[dict[str, Any]]) -> None:
        """Append the current image (or the deletion) of each item `keys` names."""
        if self.paused or table_name != self.table_name or not keys:
            return
        with self.lock:
            lines = []
            for key in keys:
                item = backend.get_item(table_name, key)
                if item is None:
                    lines.append(json.dumps({"delete": key}))
                else:
                    lines.append(json.dumps({"put": item.to_json()["Attributes"]}))
            data = ("\n".join(lines) + "\n").encode()
            fd = self._open()
            while data:
                data = data[os.write(fd, data) :]

    def rotate(self) -> None:
        """Move the journal aside before a snapshot (call with `lock` held, as the snapshot's
        copy of the table is taken)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        if not self.current.exists():
            return
        if self.old.exists():  # a snapshot was cut short: keep both, oldest first
            with self.old.open("ab") as old:
                old.write(self.current.read_bytes())
            self.current.unlink()
        else:
            self.current.rename(self.old)

    def drop_old(self) -> None:
        """The snapshot holds everything the old journal did."""
        self.old.unlink(missing_ok=True)

    def clear(self) -> None:
        with self.lock:
            self.rotate()
            self.drop_old()

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every line, the old journal's first. A line cut short by a kill is not a write that
        was acknowledged: it is skipped."""
        for path in (self.old, self.current):
            if not path.exists():
                continue
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    yield json.loads(line)
                except ValueError:
                    continue

    def close(self) -> None:
        with self.lock:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


def _key_of(backend: Any, table_name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    table = backend.get_table(table_name)
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def _written(backend: Any, table_name: str, key: dict[str, Any]) -> None:
    """After one item's write: record it now, or at the end of the transaction it is part of."""
    pending = getattr(_local, "transaction", None)
    if pending is not None:
        pending.append((table_name, key))
    elif _active is not None:
        _active.record(backend, table_name, [key])


def install(journal: Journal) -> None:
    """Journal every write moto's DynamoDB backend makes in this process from now on."""
    global _active
    _active = journal
    if _originals:
        return
    import moto.dynamodb.models as models

    backend_class = models.DynamoDBBackend
    for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
        _originals[name] = getattr(backend_class, name)

    def put_item(self: Any, table_name: str, item_attrs: dict[str, Any], *a: Any, **kw: Any) -> Any:
        # A refused write (a condition that failed) changed nothing: nothing to record.
        result = _originals["put_item"](self, table_name, item_attrs, *a, **kw)
        _written(self, table_name, _key_of(self, table_name, item_attrs))
        return result

    def update_item(self: Any, table_name: str, key: dict[str, Any], *a: Any, **kw: Any) -> Any:
        result = _originals["update_item"](self, table_name, key, *a, **kw)
        _written(self, table_name, key)
        return result

    def delete_item(self: Any, table_name: str, key: dict[str, Any], *a: Any, **kw: Any) -> Any:
        result = _originals["delete_item"](self, table_name, key, *a, **kw)
        _written(self, table_name, key)
        return result

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        pending: list[tuple[str, dict[str, Any]]] = []
        _local.transaction = pending
        try:
            return _originals["transact_write_items"](self, transact_items)
        finally:
            _local.transaction = None
            if _active is not None:
                # Recorded whatever happened: each line is what memory now holds.
                for table_name in {t for t, _ in pending}:
                    keys = [k for t, k in pending if t == table_name]
                    _active.record(self, table_name, keys)

    backend_class.put_item = put_item  # type: ignore[method-assign]
    backend_class.update_item = update_item  # type: ignore[method-assign]
    backend_class.delete_item = delete_item  # type: ignore[method-assign]
    backend_class.transact_write_items = transact_write_items  # type: ignore[method-assign]


def uninstall() -> None:
    """Put moto's own methods back (for tests)."""
    global _active
    _active = None
    if not _originals:
        return
    import moto.dynamodb.models as models

    for name, original in _originals.items():
        setattr(models.DynamoDBBackend, name, original)
    _originals.clear()
