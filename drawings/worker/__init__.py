"""The inference worker: wake-ups in, pictures out.

One worker runs inside the ASGI server by default (embedded mode); in production any number run
as ``manage.py inference_worker`` processes sharing the Redis channel layer. A worker is a small
pipeline, one module per job:

* ``scheduling`` — drawing ids arrive on the ``inference`` channel; when the generator is free a
  batch takes every id waiting, is claimed (``lifecycle.claim_drawings``), drawn, encoded and
  finished (``lifecycle.finish_drawings``: store, mark done, pay, tell the pages) while the next
  batch already draws; at most two batches in the pipeline at once. "Batch finished" is
  awaitable (``InferenceWorker.batch_finished``);
* ``previews`` — the magic preview's requests, drawn only when no submitted drawing waits;
* ``maintenance`` — the reaper (lost wake-ups, dead workers' rows, rows out of attempts), the
  stored-file sweep and the heartbeat on the rows it holds;
* ``pictures`` — the pixel work: sketches read through ``inference.serving.sketch_files``, one
  generator call per generator, PNG encoding, warm-up (every generator loaded, blank batches of each
  size drawn, ``INFERENCE_WARM_UP``, so the first child does not wait for kernels);
* ``threads`` — the generator's, encoder's and database's threads, and which thread a database
  write takes on SQLite and on PostgreSQL;
* ``pipeline`` — :class:`InferenceWorker`, wiring them and handing the generator out.

Messages are only hints (their shapes: ``drawings.protocol``): the database row is the truth. The
worker computes; every write and every event is the lifecycle's. Each worker has an id
(``drawings.worker_identity``) that its claims record.
"""

from drawings.worker.pipeline import InferenceWorker

__all__ = ["InferenceWorker"]
