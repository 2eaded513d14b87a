// localStorage that never throws. Private browsing, a full disk or storage
// blocked by a grown-up's settings only cost the feature that wanted to
// remember something; drawing always goes on.

function store() {
  try {
    return window.localStorage;
  } catch {
    return null; // reading the property itself throws when storage is blocked
  }
}

/** The stored string, or null when there is none or storage is unavailable. */
export function readItem(key) {
  try {
    return store()?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

/** Store a string. Returns false when it could not be kept (quota, private mode). */
export function writeItem(key, value) {
  try {
    const storage = store();
    if (!storage) return false;
    storage.setItem(key, value);
    return true;
  } catch {
    return false;
  }
}

export function removeItem(key) {
  try {
    store()?.removeItem(key);
  } catch {
    // Nothing to forget if storage is unavailable.
  }
}
