// The drawing page: a sketch pad, a category picker, and the cards that show
// each submitted drawing until its picture arrives. This file only wires them
// together: sketch-pad.js draws, drawings-api.js talks to the server,
// submissions.js knows each card's state and submission-card.js shows it.
//
// Every word a child reads comes from the template (data-* attributes and
// <template> markup rendered with {% translate %}), never from these files.

import { DraftStore } from "./draft.js";
import { Problem, fetchSketch, newClientId, postDrawing } from "./drawings-api.js";
import { LiveUpdates } from "./live.js";
import { celebrationRoom } from "./popups.js";
import { MagicPreview } from "./preview.js";
import { SketchPad } from "./sketch-pad.js";
import { SubmissionCard } from "./submission-card.js";
import { Submission } from "./submissions.js";
import { bindSoundToggle, playSound } from "./sounds.js";
import { SuggestionAsker } from "./suggestions.js";
import { ThingPicker } from "./thing-picker.js";

function readJson(id, fallback) {
  const element = document.getElementById(id);
  if (!element) return fallback;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return fallback;
  }
}

// Tools: colours, brush sizes and the eraser are radio buttons, so keyboards
// and screen readers get them for free.
function bindTools(app, pad) {
  for (const input of app.querySelectorAll('input[name="color"]')) {
    const choose = () => {
      pad.erasing = input.value === "eraser";
      if (!pad.erasing) pad.color = input.value;
    };
    input.addEventListener("change", choose);
    if (input.checked) choose();
  }
  for (const input of app.querySelectorAll('input[name="brush"]')) {
    input.addEventListener("change", () => {
      pad.brush = input.value;
    });
    if (input.checked) pad.brush = input.value;
  }
}

function bindHistory(app, pad, strings) {
  const clearButton = app.querySelector("[data-clear]");
  const clearDialog = document.getElementById("clear-dialog");
  app.querySelector("[data-undo]")?.addEventListener("click", () => pad.undo());
  app.querySelector("[data-redo]")?.addEventListener("click", () => pad.redo());
  document.addEventListener("keydown", (event) => {
    if (!(event.ctrlKey || event.metaKey)) return;
    const key = event.key.toLowerCase();
    if (key === "z" && !event.shiftKey) {
      event.preventDefault();
      pad.undo();
    } else if ((key === "z" && event.shiftKey) || key === "y") {
      event.preventDefault();
      pad.redo();
    }
  });

  clearButton?.addEventListener("click", () => {
    if (!pad.hasStrokes()) return;
    if (clearDialog && typeof clearDialog.showModal === "function") {
      clearDialog.returnValue = "";
      clearDialog.showModal();
    } else if (window.confirm(strings.confirmClear)) {
      pad.clear();
    }
  });
  clearDialog?.addEventListener("close", () => {
    if (clearDialog.returnValue === "yes") pad.clear();
  });
}

function main() {
  const app = document.getElementById("canvas-app");
  if (!app) return;
  const strings = { ...app.dataset };
  const pad = new SketchPad(app.querySelector("canvas"));
  const categories = new Map(readJson("categories-data", []).map((c) => [c.slug, c]));

  const submitButton = app.querySelector("[data-submit]");
  const hint = app.querySelector("[data-hint]");
  const undoButton = app.querySelector("[data-undo]");
  const redoButton = app.querySelector("[data-redo]");
  const clearButton = app.querySelector("[data-clear]");
  const results = document.getElementById("results");
  const cardTemplate = document.getElementById("submission-template");
  const connection = app.querySelector("[data-connection]");
  // Older pictures live in the gallery; keep this column short.
  const maxCards = Number(app.dataset.maxCards);

  bindTools(app, pad);
  bindHistory(app, pad, strings);
  bindSoundToggle(app.querySelector("[data-sound-toggle]"));

  let busy = false; // a submission is being prepared
  let last = null; // the card of the last submission
  // The client_id last used for these very strokes, kept in the draft: sending
  // them again after a reload reuses it, so the server never makes them twice.
  let sent = null; // { clientId, category, version }

  const pickerRoot = app.querySelector("[data-thing-picker]");
  const picker = pickerRoot ? new ThingPicker(pickerRoot) : null;
  const selectedCategory = () => picker?.category || "";

  // The draft: restored first, then saved after every change.
  const draft = new DraftStore(app.dataset.draftKey, () => ({
    strokes: pad.strokes,
    category: selectedCategory(),
    submission:
      sent && sent.version === pad.version
        ? { clientId: sent.clientId, category: sent.category }
        : null,
  }));
  const saved = draft.load();
  if (saved && saved.strokes.length) {
    pad.load(saved.strokes);
    picker?.select(saved.category, { announce: false });
    if (saved.submission) sent = { ...saved.submission, version: pad.version };
  }
  pad.addEventListener("change", () => draft.changed());

  function refreshControls() {
    if (undoButton) undoButton.disabled = !pad.canUndo();
    if (redoButton) redoButton.disabled = !pad.canRedo();
    if (clearButton) clearButton.disabled = !pad.hasStrokes();
    if (!submitButton) return;
    let why = "";
    if (pad.isEmpty()) why = strings.hintDraw;
    else if (!selectedCategory()) why = strings.hintCategory;
    submitButton.disabled = Boolean(why) || busy;
    if (hint) {
      hint.textContent = why;
      hint.hidden = !why;
    }
  }
  pad.addEventListener("change", refreshControls);
  // "Is it a panda?": only where the server can guess (the template says so).
  const bubble = app.querySelector("[data-suggestion-accept]");
  const asker =
    picker && bubble && app.dataset.suggestUrl
      ? new SuggestionAsker({
          url: app.dataset.suggestUrl,
          pad,
          bubble,
          picker,
          onAccept: (slug) => picker.select(slug),
        })
      : null;
  pickerRoot?.addEventListener("change", () => {
    refreshControls();
    draft.changed();
    asker?.picked(selectedCategory());
  });

  const newCard = (submission, sketchUrl) => {
    const info = categories.get(submission.category);
    return new SubmissionCard(cardTemplate, submission, {
      sketchUrl,
      categoryLabel: info ? `${info.emoji} ${info.label}` : submission.category,
      strings,
    });
  };

  // Bring a card fully into view; where the screen has room for it beside the
  // celebration pop-ups (top right, or the bottom of a phone), out of their way,
  // so they never cover the picture.
  function reveal(element) {
    const box = element.getBoundingClientRect();
    const { above, below } = celebrationRoom();
    const bottom = window.innerHeight - below;
    if (box.height + above + below > window.innerHeight) {
      element.scrollIntoView({ behavior: "instant", block: "nearest" });
    } else if (box.top < above) {
      window.scrollBy({ top: box.top - above, behavior: "instant" });
    } else if (box.bottom > bottom) {
      window.scrollBy({ top: box.bottom - bottom, behavior: "instant" });
    }
  }

  // Live updates for every drawing we sent.
  const live = new LiveUpdates();
  const cardsByDrawing = new Map(); // drawing id -> SubmissionCard
  function showOnCard(card, drawing) {
    const change = card.drawing(drawing);
    // The finished card is taller than the waiting one: bring all of it into
    // view, unless the child is busy drawing the next picture.
    if (change && change.from !== "done" && change.to === "done" && !pad.isDrawing()) {
      reveal(card.element);
    }
  }
  live.onDrawing((drawing) => {
    const card = cardsByDrawing.get(String(drawing.id));
    if (card) showOnCard(card, drawing);
  });
  live.onStatus((status) => {
    if (!connection) return;
    connection.dataset.status = status;
    connection.textContent = status === "reconnecting" ? strings.reconnecting : "";
    connection.hidden = status !== "reconnecting" || !live.waiting().length;
  });

  /**
   * A card for a drawing sent before this page opened (a reload, a restarted browser): the
   * server lists the ones still on their way or just finished. It follows the same live path
   * as a new card; "Try again" sends the stored sketch with the drawing's own client_id.
   */
  function restoreCard(drawing) {
    const id = String(drawing.id);
    const submission = new Submission({
      category: drawing.category,
      clientId: drawing.client_id,
      drawingId: id,
    });
    const card = newCard(submission, drawing.sketch_url);
    card.retryButton.addEventListener("click", async () => {
      card.sending();
      try {
        submission.blob ??= await fetchSketch(drawing.sketch_url);
      } catch {
        card.problem(strings.offline, { retryable: true });
        return;
      }
      send(card, { fresh: true });
    });
    live.track(drawing);
    cardsByDrawing.set(id, card);
    // Already finished before the reload: shown as it is, without a sound (and the
    // celebration pop-ups only ever come with the live event, which has passed).
    card.drawing(live.drawings.get(id) || drawing, { quiet: true });
    results.append(card.element);
    results.hidden = false;
  }
  for (const drawing of readJson("canvas-drawings", []).slice(0, maxCards)) restoreCard(drawing);
  // "Peek": a faded picture of the sketch as it grows (opt-in; see preview.js).
  const peekToggle = app.querySelector("[data-peek-toggle]");
  const peekFigure = app.querySelector("[data-peek]");
  const peek =
    peekToggle && peekFigure
      ? new MagicPreview({
          live,
          pad,
          toggle: peekToggle,
          figure: peekFigure,
          // The child's pick, else the guess the bubble is offering (a peek is not a label).
          getCategory: () => selectedCategory() || asker?.suggested || "",
        })
      : null;
  pickerRoot?.addEventListener("change", () => peek?.changed());
  live.connect();

  /** POST the card's sketch. `fresh`: "Try again" on a drawing the server has and failed. */
  async function send(card, { fresh = false } = {}) {
    const { submission } = card;
    card.sending();
    try {
      const drawing = await postDrawing(submission, { strings, onRetry: () => card.retrying() });
      submission.sent(drawing, { again: fresh });
      // The same drawing may already have a card: sent before a reload, answered after it.
      const shown = cardsByDrawing.get(submission.drawingId);
      if (shown && shown !== card) shown.element.remove();
      // The server has it now: the copy on this device has done its job.
      if (pad.version === submission.version) draft.discard();
      cardsByDrawing.set(submission.drawingId, card);
      live.track(drawing, { replace: fresh });
      // The socket may have told us "done" before this answer arrived: show the
      // furthest state known, never the older one the POST answer carries.
      showOnCard(card, live.drawings.get(submission.drawingId) || drawing);
    } catch (error) {
      card.problem(error instanceof Problem ? error.message : strings.serverTrouble, {
        retryable: error instanceof Problem ? error.retryable : true,
      });
    }
  }

  async function submit() {
    const category = selectedCategory();
    if (!category || pad.isEmpty() || busy) return;
    const key = `${pad.version}|${category}`;
    if (last && last.submission.isSameSketch(key) && last.element.isConnected) {
      // The same sketch again: nothing new to make; show the card we have.
      reveal(last.element);
      if (last.submission.state === "failed") last.retryButton.click();
      return;
    }
    busy = true;
    refreshControls();
    try {
      const blob = await pad.toBlob();
      const version = pad.version;
      const resend = sent && sent.version === version && sent.category === category;
      const clientId = resend ? sent.clientId : newClientId();
      sent = { clientId, category, version };
      draft.changed();
      draft.flush();
      const submission = new Submission({ key, blob, category, clientId, version });
      const card = newCard(submission, URL.createObjectURL(blob));
      card.retryButton.addEventListener("click", () => {
        const wasFailedDrawing = Boolean(submission.drawingId);
        send(card, { fresh: wasFailedDrawing });
      });
      results.prepend(card.element);
      results.hidden = false;
      while (results.children.length > maxCards) results.lastElementChild.remove();
      last = card;
      reveal(card.element);
      await send(card);
    } finally {
      busy = false;
      refreshControls();
    }
  }

  submitButton?.addEventListener("click", () => {
    if (!submitButton.disabled) playSound("submit");
    submit();
  });
  refreshControls();
}

main();
