// Little sounds made on the spot with the Web Audio API: a few notes from an
// oscillator, so there is nothing to download and nothing leaves the device.
//
// Sounds start OFF. Children draw in classrooms, on the bus and next to a
// sleeping sibling, often on a grown-up's phone with the volume up; a page that
// suddenly beeps gets the tablet taken away. One tap on the clearly labelled
// "Sounds" button turns them on, and the choice is remembered for that child.

import { readItem, writeItem } from "./local-store.js";

// Each sound is a few notes: [frequency Hz, start s, length s].
const SOUNDS = {
  on: [[880, 0, 0.09]],
  submit: [
    [523.25, 0, 0.1],
    [659.25, 0.08, 0.1],
    [783.99, 0.16, 0.16],
  ],
  reveal: [
    [523.25, 0, 0.12],
    [659.25, 0.1, 0.12],
    [783.99, 0.2, 0.12],
    [1046.5, 0.3, 0.3],
  ],
  reward: [
    [1318.5, 0, 0.08],
    [1567.98, 0.07, 0.08],
    [2093, 0.14, 0.18],
  ],
  oops: [
    [392, 0, 0.14],
    [329.63, 0.14, 0.22],
  ],
};
const VOLUME = 0.12;

let context = null;
let enabled = false;
let nextFree = 0; // sounds wait their turn instead of playing over each other

function audioContext() {
  if (!context) {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return null;
    try {
      context = new AudioContextClass();
    } catch {
      return null;
    }
  }
  // Browsers start audio suspended until the page is touched; resuming is harmless.
  if (context.state === "suspended") context.resume().catch(() => {});
  return context;
}

function note(ctx, frequency, start, length) {
  const oscillator = ctx.createOscillator();
  const gain = ctx.createGain();
  oscillator.type = "triangle";
  oscillator.frequency.setValueAtTime(frequency, start);
  // A quick rise and a soft fall: a "bloop", not a beep.
  gain.gain.setValueAtTime(0.0001, start);
  gain.gain.exponentialRampToValueAtTime(VOLUME, start + 0.015);
  gain.gain.exponentialRampToValueAtTime(0.0001, start + length);
  oscillator.connect(gain).connect(ctx.destination);
  oscillator.start(start);
  oscillator.stop(start + length + 0.02);
}

/** Play a named sound if sounds are on. Never throws: a sound is never worth an error. */
export function playSound(name) {
  const notes = SOUNDS[name];
  if (!enabled || !notes) return;
  try {
    const ctx = audioContext();
    if (!ctx) return;
    const start = Math.max(ctx.currentTime + 0.01, nextFree);
    let end = start;
    for (const [frequency, offset, length] of notes) {
      note(ctx, frequency, start + offset, length);
      end = Math.max(end, start + offset + length);
    }
    nextFree = end + 0.05;
  } catch {
    // No audio device, or the browser said no.
  }
}

export function soundsOn() {
  return enabled;
}

/**
 * Make `button` (aria-pressed, data-storage-key, a [data-sound-icon] inside)
 * the switch for sounds on this page, starting from the remembered choice.
 */
export function bindSoundToggle(button) {
  if (!button) return;
  const key = button.dataset.storageKey;
  const icon = button.querySelector("[data-sound-icon]");
  const show = () => {
    button.setAttribute("aria-pressed", enabled ? "true" : "false");
    if (icon) icon.textContent = enabled ? "🔊" : "🔇";
  };
  enabled = readItem(key) === "on";
  show();
  button.addEventListener("click", () => {
    enabled = !enabled;
    writeItem(key, enabled ? "on" : "off");
    show();
    // The tap that turns sounds on also unlocks audio, and says "I can hear you".
    playSound("on");
  });
}
