"""The event store as Leitai uses it: the eventsourcing library's recorders, extended.

* every inserted event gets its link of the hash chain (:mod:`domain.chain`), in the
  same transaction: on PostgreSQL the database computes it (migrations), on SQLite the
  recorder does;
* waits are bounded: a store that is down or locked fails within seconds with a
  :class:`~domain.errors.StoreError`, instead of the library's ten retries;
* the deployment's signing key (:mod:`eventstore.keys`) signs checkpoints of the chain.

The domain names these classes only by topic (``APPLICATION_RECORDER_TOPIC``), so it
does not depend on SQL drivers.
"""
