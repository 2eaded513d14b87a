// Celebrate what a finished picture paid: the payout rides on the drawing.status
// event as `progress` and is re-dispatched on window as "icanvas:progress".
// This script updates the top bar's level badge and shows a short, polite toast
// (static/js/popups.js keeps at most two on screen and queues the rest).

import { showPopup } from "../js/popups.js";

const badge = document.querySelector("[data-level-badge]");
const korean = (badge?.dataset.lang || "").toLowerCase().startsWith("ko");
const pick = (item, field) => (korean ? item[`${field}_ko`] : item[`${field}_en`]) || item[`${field}_en`];

function updateBadge(progress) {
  if (!badge) return;
  const bar = badge.querySelector(".level-badge-bar");
  const fill = bar?.querySelector("span");
  if (fill) fill.style.width = `${progress.level_percent}%`;
  bar?.setAttribute("aria-valuenow", String(progress.level_percent));
  const label = badge.querySelector("[data-level-number]");
  if (label) label.textContent = String(progress.level);
  const icon = badge.querySelector(".nav-icon");
  if (icon) icon.textContent = progress.level_emoji;
}

window.addEventListener("icanvas:progress", (event) => {
  const progress = event.detail;
  if (!progress || typeof progress.xp_total !== "number") return;
  updateBadge(progress);
  const strings = badge?.dataset || {};
  const lines = [];
  if (progress.xp_gained > 0) lines.push(`✨ +${progress.xp_gained} XP`);
  if (progress.level_up) {
    lines.push(`${progress.level_emoji} ${strings.levelUp || "Level up!"} ${pick(progress, "level_title")}`);
  }
  for (const achievement of progress.new_achievements || []) {
    lines.push(`${achievement.icon} ${pick(achievement, "name")}`);
  }
  for (const quest of progress.quests_completed || []) {
    lines.push(`✅ ${pick(quest, "name")} (+${quest.bonus_xp} XP)`);
  }
  showPopup(lines);
});
