"""The generator engine and its workers: device, serving path, batches, leases, heartbeats and
the sweep of stored files.
"""

from pathlib import Path

from icanvas_site.settings.environment import BASE_DIR, env

# Inference.
GENERATORS_DIR = Path(env.str("GENERATORS_DIR", default=str(BASE_DIR / "generators")))
INFERENCE_DEVICE = env.str("INFERENCE_DEVICE", default="cpu")
INFERENCE_THREADS = env.int("INFERENCE_THREADS", default=0)  # 0: torch's default
INFERENCE_EMBEDDED_WORKER = env.bool("INFERENCE_EMBEDDED_WORKER", default=True)
# "What did you draw?" with the worker elsewhere (drawings/remote_suggestions.py): how long the
# web process waits for a worker's guess before answering "no guesses right now".
SUGGESTIONS_TIMEOUT_SECONDS = env.float("SUGGESTIONS_TIMEOUT_SECONDS", default=2.0)
# "fast" serves (bf16/channels_last on CPU, fp16 on CUDA; within 2 levels alone or batched);
# "exact" is float32 and bit-identical in any batch, for audits
# (inference/serving/loaded_generator.py).
INFERENCE_PATH = env.str("INFERENCE_PATH", default="fast")
INFERENCE_COMPILE = env.bool("INFERENCE_COMPILE", default=False)  # torch.compile the fast copy
# What serves the fast path: "onnx" (ONNX Runtime, for a generator whose card records an
# exported graph; torch otherwise) or "torch" (inference/serving/fast_path.py,
# inference/serving/engine.py).
INFERENCE_ENGINE = env.str("INFERENCE_ENGINE", default="onnx")
# Draw blank batches of every size at worker start-up, so no child waits for kernels.
INFERENCE_WARM_UP = env.bool("INFERENCE_WARM_UP", default=True)
# The largest batch a worker draws in one call (a GPU takes more: 32 or 64). 0 (the CPU's
# default): measured at start-up, the size that draws the most pictures a second on this machine
# (loaded_generator.BATCH_CANDIDATES; 4 when the worker does not warm up).
INFERENCE_BATCH_SIZE = env.int(
    "INFERENCE_BATCH_SIZE", default=32 if INFERENCE_DEVICE.startswith("cuda") else 0
)
# How long a forming batch may wait for more drawings, only while the worker is busy (an idle
# worker draws a lone child's sketch at once); the batch also fills while the last one draws.
INFERENCE_BATCH_WINDOW_MS = env.int("INFERENCE_BATCH_WINDOW_MS", default=10)
# PNG level of stored pictures: on kids7c's pictures here level 1 took 3.8 ms and 62 KB, level 6
# (Pillow's default) 7.5 ms and 57 KB; WebP q85 7.1 ms and 8 KB, but downloads want PNG.
INFERENCE_PNG_COMPRESS_LEVEL = env.int("INFERENCE_PNG_COMPRESS_LEVEL", default=1)
INFERENCE_LEASE_SECONDS = env.int("INFERENCE_LEASE_SECONDS", default=120)
INFERENCE_REQUEUE_AFTER_SECONDS = env.int("INFERENCE_REQUEUE_AFTER_SECONDS", default=30)
INFERENCE_REAPER_INTERVAL_SECONDS = env.float("INFERENCE_REAPER_INTERVAL_SECONDS", default=10.0)
INFERENCE_MAX_ATTEMPTS = env.int("INFERENCE_MAX_ATTEMPTS", default=3)
# A worker renews a heartbeat on the drawings it holds; one silent for STALE seconds, or whose
# process is gone on the same host, loses them before the lease ends (keep clocks in sync).
INFERENCE_HEARTBEAT_SECONDS = env.float("INFERENCE_HEARTBEAT_SECONDS", default=5.0)
INFERENCE_HEARTBEAT_STALE_SECONDS = env.float(
    "INFERENCE_HEARTBEAT_STALE_SECONDS", default=3 * INFERENCE_HEARTBEAT_SECONDS
)
# The reaper deletes stored files no drawing refers to (a killed worker's picture) this often,
# once they are older than the grace period (so a file being written now is never touched).
STORED_FILES_SWEEP_EVERY_SECONDS = env.float("STORED_FILES_SWEEP_EVERY_SECONDS", default=3600.0)
STORED_FILES_SWEEP_GRACE_MINUTES = env.float("STORED_FILES_SWEEP_GRACE_MINUTES", default=30.0)
