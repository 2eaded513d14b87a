// Live updates for drawings: a websocket that tells us when a picture is ready,
// plus the REST reads that make it safe to miss or reorder those messages.
//
// The database row on the server is the truth. Websocket events are only hints
// that may arrive late, twice, out of order, or never; so after every
// (re)connect we re-read each drawing still waiting, poll while the socket is
// down, and never let a drawing's shown status move backwards (submissions.js
// says what "backwards" means).

import { DRAWINGS_API, fetchDrawing } from "./drawings-api.js";
import { isFinal, isForward } from "./submissions.js";

export function websocketUrl(path = "/ws/") {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}${path}`;
}

/**
 * One websocket per page, with back-off reconnects and REST catch-up.
 *
 *   const live = new LiveUpdates();
 *   live.onDrawing((drawing) => render(drawing));   // only ever forward-moving states
 *   live.onStatus((status) => badge(status));       // "connecting" | "open" | "reconnecting" | "closed"
 *   live.connect();
 *   live.track(drawingJson);                        // follow a drawing until it is done/failed
 */
export class LiveUpdates {
  constructor({
    url = websocketUrl(),
    apiBase = DRAWINGS_API,
    pollMs = 5000,
    // While the socket is open, an occasional re-read still catches a lost event.
    safetyPollMs = 20000,
    pingMs = 25000,
    minDelayMs = 1000,
    maxDelayMs = 15000,
  } = {}) {
    this.url = url;
    this.apiBase = apiBase;
    this.pollMs = pollMs;
    this.safetyPollMs = safetyPollMs;
    this.pingMs = pingMs;
    this.minDelayMs = minDelayMs;
    this.maxDelayMs = maxDelayMs;

    this.status = "closed";
    this.drawings = new Map(); // id -> last shown Drawing JSON
    this._drawingListeners = new Set();
    this._statusListeners = new Set();
    this._messageListeners = new Set();
    this._socket = null;
    this._failures = 0;
    this._reconnectTimer = null;
    this._pingTimer = null;
    this._pollTimer = null;
    this._lastPoll = 0;
    this._wanted = false;

    this._onOnline = () => this._reconnectNow();
    this._onVisible = () => {
      if (document.visibilityState !== "visible") return;
      this._reconnectNow();
      this.refreshWaiting();
    };
  }

  /** Call `callback(drawing)` whenever a drawing moves forward. Returns an unsubscribe function. */
  onDrawing(callback) {
    this._drawingListeners.add(callback);
    return () => this._drawingListeners.delete(callback);
  }

  /** Call `callback(message)` for every other message the socket brings (previews). */
  onMessage(callback) {
    this._messageListeners.add(callback);
    return () => this._messageListeners.delete(callback);
  }

  /** Send a JSON message on the socket if it is open; false when it is not. */
  send(message) {
    if (!this._socket || this._socket.readyState !== WebSocket.OPEN) return false;
    this._socket.send(JSON.stringify(message));
    return true;
  }

  /** Call `callback(status)` when the connection status changes. Returns an unsubscribe function. */
  onStatus(callback) {
    this._statusListeners.add(callback);
    return () => this._statusListeners.delete(callback);
  }

  /** Follow a drawing. `replace` forgets what was shown (a deliberate resubmission may re-queue it). */
  track(drawing, { replace = false } = {}) {
    if (replace) this.drawings.delete(String(drawing.id));
    this.accept(drawing);
    this._schedulePoll();
  }

  /** The drawings still waiting for their picture. */
  waiting() {
    return [...this.drawings.values()].filter((d) => !isFinal(d.status));
  }

  /** Merge a Drawing JSON from any source; tell listeners only if it moved forward. */
  accept(drawing) {
    if (!drawing || drawing.id === undefined || drawing.id === null) return false;
    const key = String(drawing.id);
    const current = this.drawings.get(key);
    if (!isForward(current, drawing)) return false;
    this.drawings.set(key, drawing);
    for (const listener of this._drawingListeners) {
      try {
        listener(drawing);
      } catch (error) {
        console.error(error);
      }
    }
    return true;
  }

  connect() {
    this._wanted = true;
    if (this._socket) return;
    window.addEventListener("online", this._onOnline);
    document.addEventListener("visibilitychange", this._onVisible);
    this._open();
    this._schedulePoll();
  }

  close() {
    this._wanted = false;
    window.removeEventListener("online", this._onOnline);
    document.removeEventListener("visibilitychange", this._onVisible);
    clearTimeout(this._reconnectTimer);
    clearTimeout(this._pollTimer);
    clearInterval(this._pingTimer);
    if (this._socket) {
      const socket = this._socket;
      this._socket = null;
      socket.close(1000);
    }
    this._setStatus("closed");
  }

  /** Re-read every drawing still waiting (after a reconnect, a wake-up, or as a poll). */
  async refreshWaiting() {
    this._lastPoll = Date.now();
    const waiting = this.waiting();
    await Promise.all(
      waiting.map(async (drawing) => {
        try {
          const fresh = await fetchDrawing(drawing.id, this.apiBase);
          if (fresh) this.accept(fresh);
        } catch {
          // Offline or the server is restarting: the next poll or reconnect tries again.
        }
      }),
    );
  }

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    for (const listener of this._statusListeners) {
      try {
        listener(status);
      } catch (error) {
        console.error(error);
      }
    }
  }

  _open() {
    clearTimeout(this._reconnectTimer);
    this._setStatus(this._failures ? "reconnecting" : "connecting");
    let socket;
    try {
      socket = new WebSocket(this.url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this._socket = socket;

    socket.addEventListener("open", () => {
      if (this._socket !== socket) return;
      this._failures = 0;
      this._setStatus("open");
      clearInterval(this._pingTimer);
      this._pingTimer = setInterval(() => this._send({ type: "ping" }), this.pingMs);
      // Whatever happened while we were away is only in the database.
      this.refreshWaiting();
      this._schedulePoll();
    });

    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && message.type === "drawing.status" && message.drawing) {
        this.accept(message.drawing);
        // What the picture paid (XP, level, achievements, quests): progress.js celebrates it.
        if (message.progress) {
          window.dispatchEvent(new CustomEvent("icanvas:progress", { detail: message.progress }));
        }
      } else if (message && typeof message.type === "string") {
        for (const listener of this._messageListeners) {
          try {
            listener(message);
          } catch (error) {
            console.error(error);
          }
        }
      }
    });

    socket.addEventListener("close", () => {
      if (this._socket !== socket) return;
      this._socket = null;
      clearInterval(this._pingTimer);
      if (this._wanted) this._scheduleReconnect();
      else this._setStatus("closed");
    });

    // "error" is always followed by "close", which does the work.
  }

  _send(message) {
    if (this._socket && this._socket.readyState === WebSocket.OPEN) {
      this._socket.send(JSON.stringify(message));
    }
  }

  _scheduleReconnect() {
    this._failures += 1;
    this._setStatus("reconnecting");
    const base = Math.min(this.maxDelayMs, this.minDelayMs * 2 ** (this._failures - 1));
    // Jitter so that a restarted server is not hit by every tablet at the same instant.
    const delay = base * (0.75 + Math.random() * 0.5);
    clearTimeout(this._reconnectTimer);
    this._reconnectTimer = setTimeout(() => this._open(), Math.min(delay, this.maxDelayMs));
    this._schedulePoll();
  }

  _reconnectNow() {
    if (!this._wanted || this._socket) return;
    this._failures = Math.max(0, this._failures - 1);
    this._open();
  }

  // Poll every pollMs while the socket is down, every safetyPollMs while it is
  // up, and not at all when nothing is waiting.
  _schedulePoll() {
    clearTimeout(this._pollTimer);
    if (!this.waiting().length) return;
    const every = this.status === "open" ? this.safetyPollMs : this.pollMs;
    const due = Math.max(250, this._lastPoll + every - Date.now());
    this._pollTimer = setTimeout(async () => {
      await this.refreshWaiting();
      this._schedulePoll();
    }, due);
  }
}

/**
 * Keep server-rendered drawing cards up to date (the gallery and detail pages).
 * Cards are elements with data-live-drawing="<id>" and data-status; when their
 * drawing finishes the page reloads that card's picture from result_url.
 */
export function watchDrawingElements(root = document, live = new LiveUpdates()) {
  const cards = new Map();
  for (const element of root.querySelectorAll("[data-live-drawing]")) {
    cards.set(String(element.dataset.liveDrawing), element);
  }
  const waiting = [...cards.entries()].filter(([, el]) => !isFinal(el.dataset.status));
  if (!waiting.length) return live;

  live.onDrawing((drawing) => {
    const element = cards.get(String(drawing.id));
    if (!element) return;
    element.dataset.status = drawing.status;
    const badge = element.querySelector("[data-status-badge]");
    if (badge) {
      const text = badge.dataset[`label${drawing.status[0].toUpperCase()}${drawing.status.slice(1)}`];
      if (text) badge.textContent = text;
      badge.className = `badge badge-${drawing.status}`;
    }
    const error = element.querySelector("[data-error]");
    if (error && drawing.status === "failed" && drawing.error_message) {
      error.textContent = drawing.error_message;
      error.hidden = false;
    }
    if (drawing.status === "done" && drawing.result_url) {
      const slot = element.querySelector("[data-result-slot]");
      if (slot) {
        const img = document.createElement("img");
        img.src = drawing.result_url;
        img.alt = slot.dataset.alt || "";
        img.className = slot.dataset.imgClass || "";
        slot.replaceChildren(img);
      }
      for (const link of element.querySelectorAll("[data-download]")) {
        link.href = drawing.result_url;
        link.hidden = false;
      }
    }
  });
  for (const [id, element] of waiting) {
    live.track({ id, status: element.dataset.status });
  }
  live.connect();
  return live;
}
