"""A queued drawing's life with a worker: claim, finish, give back, reap.

Each action is one conditional UPDATE, so two workers can never both own or both finish the
same drawing, and each tells the child's pages of the change it made, on commit
(``drawings.events``). A claim records its worker (``drawings.worker_identity``), which renews a
heartbeat while it holds the row, so the reaper takes back a dead worker's drawings without
waiting out the lease; a picture's file is named after its drawing and attempt, so a retry
overwrites what a crashed attempt left instead of orphaning it. Actions return what happened
(a :class:`Claim`, :class:`Finished`, :class:`Requeued`, :class:`Failed`, :class:`Reaped`) or
None when the row was no longer theirs to change. Workers compute pictures, then call these.

"New colours" (🎲) rides the same life: a done drawing whose child asked for another colourway
has ``new_colours`` queued, is claimed with the first pictures (``new_colours`` running, the
drawing itself stays done and keeps showing its picture), and finishing stores the new version,
shows it, and pays nothing; a colourway that cannot be painted ends as ``new_colours`` failed,
the pictures already made untouched.

One module per step: ``claims`` (take waiting rows, renew heartbeats), ``finishing`` (store the
pictures, mark done, run the "drawings finished" hooks), ``recovery`` (give back, reap); what
each returns is in ``outcomes``. Callers use this package's names.
"""

from drawings.lifecycle.claims import claim_drawings, renew_heartbeat
from drawings.lifecycle.finishing import finish_drawings, result_file_name
from drawings.lifecycle.outcomes import (
    FRIENDLY_FAILURE,
    FRIENDLY_NO_GENERATOR,
    FRIENDLY_NO_NEW_COLOURS,
    Claim,
    Failed,
    Finished,
    Picture,
    Reaped,
    Requeued,
)
from drawings.lifecycle.recovery import REAP_BATCH, give_back_drawing, reap_drawings

__all__ = [
    "FRIENDLY_FAILURE",
    "FRIENDLY_NO_GENERATOR",
    "FRIENDLY_NO_NEW_COLOURS",
    "REAP_BATCH",
    "Claim",
    "Failed",
    "Finished",
    "Picture",
    "Reaped",
    "Requeued",
    "claim_drawings",
    "finish_drawings",
    "give_back_drawing",
    "reap_drawings",
    "renew_heartbeat",
    "result_file_name",
]
