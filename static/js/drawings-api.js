// Talking to the drawings REST API: sending a sketch (retried safely), and
// reading back a drawing or its stored sketch. Every request the pages make
// about drawings goes through here.

export const DRAWINGS_API = "/api/v1/drawings/";
const POST_RETRIES = 3;

/** Django's CSRF token, from the csrftoken cookie (set by {% csrf_token %}). */
export function csrfToken() {
  for (const part of document.cookie.split(";")) {
    const [name, ...rest] = part.trim().split("=");
    if (name === "csrftoken") return decodeURIComponent(rest.join("="));
  }
  return "";
}

/** A UUID v4. crypto.randomUUID exists only on https/localhost; tablets on a LAN use http. */
export function newClientId() {
  if (globalThis.crypto && typeof crypto.randomUUID === "function") {
    try {
      return crypto.randomUUID();
    } catch {
      // Not a secure context: fall through.
    }
  }
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** GET one drawing's current state. Resolves to the Drawing JSON, or null if it is gone. */
export async function fetchDrawing(id, apiBase = DRAWINGS_API) {
  const response = await fetch(`${apiBase}${encodeURIComponent(id)}/`, {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    cache: "no-store",
  });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`GET drawing ${id}: HTTP ${response.status}`);
  return response.json();
}

/** The stored sketch of a drawing the server already has, to send it again. */
export async function fetchSketch(url) {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`GET ${url}: HTTP ${response.status}`);
  return response.blob();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class Problem extends Error {
  constructor(message, { retryable }) {
    super(message);
    this.retryable = retryable;
  }
}

/**
 * POST a sketch. Network trouble and server hiccups are retried with the SAME
 * client_id, so the server never makes the drawing twice. Resolves to the
 * Drawing JSON; rejects with a Problem whose message is fit for the child.
 */
export async function postDrawing({ blob, category, clientId }, { strings, onRetry }) {
  for (let attempt = 0; ; attempt += 1) {
    const form = new FormData();
    form.append("sketch", blob, "sketch.png");
    form.append("category", category);
    form.append("client_id", clientId);
    let response;
    try {
      response = await fetch(DRAWINGS_API, {
        method: "POST",
        body: form,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
    } catch {
      response = null;
    }
    if (response && response.ok) return response.json();

    const retryable = !response || response.status >= 500 || response.status === 429;
    if (retryable && attempt < POST_RETRIES) {
      onRetry(attempt + 1);
      await sleep(1000 * 2 ** attempt * (0.75 + Math.random() * 0.5));
      continue;
    }
    if (!response) throw new Problem(strings.offline, { retryable: true });
    let detail = "";
    try {
      const body = await response.json();
      detail = typeof body.detail === "string" ? body.detail : "";
    } catch {
      // Not JSON (a proxy's error page): fall back to our own words.
    }
    throw new Problem(detail || strings.serverTrouble, { retryable });
  }
}
