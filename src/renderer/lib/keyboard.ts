/** True when a key press is meant for a text field, so list shortcuts (j, k, /, m) must not fire. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (target as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit'].includes(type);
  }
  return false;
}

/** ↑/k → -1, ↓/j → +1 (j/k only outside text fields), otherwise 0. */
export function listStep(e: { key: string; target: EventTarget | null; ctrlKey: boolean; metaKey: boolean; altKey: boolean }): -1 | 0 | 1 {
  if (e.ctrlKey || e.metaKey || e.altKey) return 0;
  // A <select> and a textarea use the arrows themselves.
  if (e.target instanceof HTMLElement && (e.target.tagName === 'SELECT' || e.target.tagName === 'TEXTAREA')) return 0;
  if (e.key === 'ArrowDown') return 1;
  if (e.key === 'ArrowUp') return -1;
  if (isTypingTarget(e.target)) return 0;
  if (e.key === 'j') return 1;
  if (e.key === 'k') return -1;
  return 0;
}
