// One sketch on its way to becoming a picture, as its card tells the child,
// with no DOM: canvas-page.js feeds it what happens, submission-card.js shows it.
//
//   sending ─> retrying ─> …          the POST, retried with the same client_id
//      ├─> queued ─> running ─> done  the server has it (POST answer, websocket, poll)
//      │                    └─> failed  the picture-maker gave up: "Try again"
//      ├─> failed                     the POST could not be made: "Try again"
//      └─> rejected                   the server said no: "OK"
//   failed ─"Try again"─> sending
//
// The server's drawing row is the truth, and news of it may arrive late, twice
// or out of order: a drawing's status only moves forward, and a final one stays.

// queued < running < done/failed. done and failed are final.
const STATUS_RANK = { queued: 0, running: 1, done: 2, failed: 2 };

export function isFinal(status) {
  return status === "done" || status === "failed";
}

/** Whether `incoming` may replace `current` (the same drawing, as last shown). */
export function isForward(current, incoming) {
  if (!current) return true;
  if (!incoming || !(incoming.status in STATUS_RANK)) return false;
  if (isFinal(current.status)) {
    // A final state can only be refreshed by the same final state (e.g. a later URL).
    return incoming.status === current.status;
  }
  return STATUS_RANK[incoming.status] >= STATUS_RANK[current.status];
}

export class Submission {
  /**
   * `key` names the strokes and category sent (null for a card brought back by a
   * reload), `version` the pad's version they were (null: not the strokes on the
   * pad now), `drawingId` the server's drawing once it has one.
   */
  constructor({ key = null, blob = null, category, clientId, version = null, drawingId = null }) {
    this.key = key;
    this.blob = blob;
    this.category = category;
    this.clientId = clientId;
    this.version = version;
    this.drawingId = drawingId;
    this.state = "sending";
    this.message = null; // the words of a problem, shown instead of the state's own
    this.drawing = null; // the server's drawing as last shown
  }

  sending() {
    this._become("sending");
  }

  retrying() {
    this._become("retrying");
  }

  /** The POST could not be made: `retryable` offers "Try again", else only "OK". */
  problem(message, { retryable }) {
    this._become(retryable ? "failed" : "rejected", message);
  }

  /**
   * The server took the sketch; `drawing` is its answer. `again`: a deliberate
   * "Try again" of a failed drawing, which the server queues once more, so the
   * failure shown before no longer holds the state back.
   */
  sent(drawing, { again = false } = {}) {
    this.drawingId = String(drawing.id);
    if (again) this.drawing = null;
  }

  /**
   * News of the drawing, from any source. Returns `{ from, to }` (the states
   * before and after), or null when it is older than what is shown: a late or
   * out-of-order event, ignored.
   */
  update(drawing) {
    if (!isForward(this.drawing, drawing)) return null;
    const from = this.state;
    this.drawing = drawing;
    const failure = drawing.status === "failed" ? drawing.error_message || null : null;
    this._become(drawing.status, failure);
    return { from, to: this.state };
  }

  /** Submitting `key` again means this sketch once more (a rejected one may be sent anew). */
  isSameSketch(key) {
    return this.key === key && this.state !== "rejected";
  }

  _become(state, message = null) {
    this.state = state;
    this.message = message;
  }
}
