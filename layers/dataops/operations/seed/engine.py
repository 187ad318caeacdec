"""The seeding engine: stream (entity, record) pairs into every store the entity lives in, in batches.

Records arrive lazily from a generator. They are grouped per entity into batches; each batch goes to each of the
entity's sinks: find the existing keys, then write what `skip_existing` allows. DynamoDB and OpenSearch batches run
on a small thread pool with a bounded number in flight, so memory stays flat however big the data set is.
Batches are merged in submission order, so sample keys and counts are the same on every run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from dataops import progress
from dataops.operations.seed.fingerprint import KeyFingerprint
from dataops.operations.seed.sinks import Entry, Sink, sinks_for
from dataops.records import record_values
from dataops.stores.data_stores import DataStores

BATCH_SIZE = 500
WORKERS = 6
MAX_IN_FLIGHT = 12
SAMPLE_KEYS = 5


@dataclass(frozen=True)
class SeedOptions:
    skip_existing: bool
    dry_run: bool
    # After a clear nothing exists, so reset skips the existence reads and counts every record as created.
    check_existing: bool = True


class StoreTally(BaseModel):
    """Per entity and store: created, updated (overwritten) and skipped records, with a few sample keys of each."""

    entity: str
    store: str
    created: int = 0
    updated: int = 0
    skipped: int = 0
    samples: dict[str, list[str]] = {}
    warning: str | None = None
    # Read by reset to record what a state promises; not part of the printed result.
    fingerprint: KeyFingerprint = Field(default_factory=KeyFingerprint, exclude=True)

    def merge(self, other: StoreTally) -> None:
        self.created += other.created
        self.updated += other.updated
        self.skipped += other.skipped
        for kind, keys in other.samples.items():
            kept = self.samples.setdefault(kind, [])
            kept.extend(keys[: SAMPLE_KEYS - len(kept)])
        self.fingerprint.merge(other.fingerprint)


@dataclass
class _Progress:
    totals: dict[str, int]
    done: dict[str, int] = field(default_factory=dict)

    def advance(self, entity: str, count: int) -> None:
        self.done[entity] = self.done.get(entity, 0) + count
        progress.report(entity, self.done[entity], self.totals.get(entity))


def apply_batch(sink: Sink, entries: list[Entry], options: SeedOptions) -> StoreTally:
    """Decide per key: created (new), updated (exists, overwrite) or skipped (exists, skip_existing)."""
    tally = StoreTally(entity=sink.entity, store=sink.store, fingerprint=KeyFingerprint())
    existing = sink.existing(entries) if options.check_existing else set()
    to_write: list[Entry] = []
    for key, payload in entries:
        tally.fingerprint.add(key)
        if key not in existing:
            kind = "created"
        elif options.skip_existing:
            kind = "skipped"
        else:
            kind = "updated"
        setattr(tally, kind, getattr(tally, kind) + 1)
        samples = tally.samples.setdefault(kind, [])
        if len(samples) < SAMPLE_KEYS:
            samples.append(key)
        if kind != "skipped":
            to_write.append((key, payload))
    if to_write and not options.dry_run:
        sink.write(to_write)
    return tally


class SeedEngine:
    def __init__(self, stores: DataStores, options: SeedOptions, expected: dict[str, int]) -> None:
        self.stores = stores
        self.options = options
        self._progress = _Progress(totals=expected)
        self._sinks: dict[str, list[Sink]] = {}
        self._tallies: dict[tuple[str, str], StoreTally] = {}
        self._buffers: dict[str, list[dict[str, object]]] = {}
        self._in_flight: deque[tuple[str, int, Future[StoreTally] | StoreTally]] = deque()

    def sinks(self, entity_name: str) -> list[Sink]:
        if entity_name not in self._sinks:
            entity = self.stores.profile.entity(entity_name)
            sinks = sinks_for(self.stores, entity)
            for sink in sinks:
                sink.prepare(dry_run=self.options.dry_run)
                self._tallies[(entity_name, sink.store)] = StoreTally(
                    entity=entity_name, store=sink.store, warning=sink.warning, fingerprint=KeyFingerprint()
                )
            self._sinks[entity_name] = sinks
        return self._sinks[entity_name]

    def run(self, records: Iterable[tuple[str, BaseModel]]) -> list[StoreTally]:
        # Every sink is prepared before the first write, so a missing table stops the run with nothing written.
        for entity_name in self._progress.totals:
            self.sinks(entity_name)
        with ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="seed") as pool:
            for entity_name, record in records:
                self.sinks(entity_name)
                buffer = self._buffers.setdefault(entity_name, [])
                buffer.append(record_values(record))
                if len(buffer) >= BATCH_SIZE:
                    self._submit(pool, entity_name, buffer)
                    self._buffers[entity_name] = []
            for entity_name, buffer in self._buffers.items():
                if buffer:
                    self._submit(pool, entity_name, buffer)
            while self._in_flight:
                self._collect_oldest()
        if not self.options.dry_run:
            for sinks in self._sinks.values():
                for sink in sinks:
                    sink.finish()
        return list(self._tallies.values())

    def _submit(self, pool: ThreadPoolExecutor, entity_name: str, batch: list[dict[str, object]]) -> None:
        for sink in self._sinks[entity_name]:
            entries = [sink.entry(values) for values in batch]
            if sink.concurrent:
                while len(self._in_flight) >= MAX_IN_FLIGHT:
                    self._collect_oldest()
                self._in_flight.append((entity_name, len(batch), pool.submit(apply_batch, sink, entries, self.options)))
            else:
                # Runs in stream order on this thread: parents reach PostgreSQL before the rows that reference them.
                self._in_flight.append((entity_name, len(batch), apply_batch(sink, entries, self.options)))

    def _collect_oldest(self) -> None:
        entity_name, size, pending = self._in_flight.popleft()
        tally = pending.result() if isinstance(pending, Future) else pending
        self._tallies[(tally.entity, tally.store)].merge(tally)
        if tally.store == self._sinks[entity_name][0].store:
            self._progress.advance(entity_name, size)
