// "What did you draw?" in two taps: a theme ("Animal"), then the thing in it
// ("Panda", or "Another animal": the theme itself). A theme with a single
// entry is picked with its one tap: its hidden thing is checked for the child.
//
// Both steps are radio groups (themes, then categories), so arrow keys and
// screen readers work as for the crayons; moving through the themes with the
// arrow keys only changes which things are offered below, never the focus.
// Every change, the child's or the page's, is announced as a bubbling
// "change" event on the picker's root.

export class ThingPicker {
  constructor(root) {
    this.root = root;
    this.themes = [...root.querySelectorAll('input[name="theme"]')];
    this.steps = [...root.querySelectorAll("fieldset[data-theme]")];
    for (const input of this.themes) {
      input.addEventListener("change", () => this._showTheme(input, { scroll: true }));
    }
    const chosen = this._categoryInput(this.category);
    if (chosen) this.select(chosen.value, { announce: false });
    else {
      const theme = this.themes.find((input) => input.checked);
      if (theme) this._showTheme(theme, { announce: false });
    }
  }

  /** The slug of the thing picked, or "". */
  get category() {
    return this.root.querySelector('input[name="category"]:checked')?.value || "";
  }

  /** Pick the thing `slug` (a suggestion accepted, a draft restored): its theme, then it. */
  select(slug, { announce = true } = {}) {
    const input = this._categoryInput(slug);
    if (!input) return false;
    const step = input.closest("fieldset[data-theme]");
    const theme = this.themes.find((candidate) => candidate.value === step?.dataset.theme);
    if (theme) {
      theme.checked = true;
      this._showTheme(theme, { announce: false });
    }
    input.checked = true;
    if (announce) this._announce();
    return true;
  }

  _categoryInput(slug) {
    if (!slug) return null;
    return [...this.root.querySelectorAll('input[name="category"]')].find(
      (input) => input.value === slug,
    );
  }

  _showTheme(themeInput, { scroll = false, announce = true } = {}) {
    const slug = themeInput.value;
    let shown = null;
    for (const step of this.steps) {
      const mine = step.dataset.theme === slug;
      // A theme with one entry never shows its step: the theme's tap picks it.
      step.hidden = !mine || Boolean(themeInput.dataset.only);
      if (mine && !step.hidden) shown = step;
    }
    const picked = this.root.querySelector('input[name="category"]:checked');
    if (themeInput.dataset.only) {
      const only = this._categoryInput(themeInput.dataset.only);
      if (only) only.checked = true;
    } else if (picked && picked.closest("fieldset[data-theme]")?.dataset.theme !== slug) {
      // A thing of another theme is no longer what the child says they drew.
      picked.checked = false;
    }
    if (scroll && shown && typeof shown.scrollIntoView === "function") {
      shown.scrollIntoView({ behavior: "smooth", block: "nearest" });
    }
    if (announce) this._announce();
  }

  _announce() {
    this.root.dispatchEvent(new Event("change", { bubbles: true }));
  }
}
