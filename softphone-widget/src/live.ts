/**
 * Screen-reader announcements through two live regions that exist in index.html
 * from the first paint (a live region added later is often not announced).
 */

function region(id: string): HTMLElement | null {
  return document.getElementById(id);
}

/**
 * Announces `text`. `assertive` interrupts the reader (incoming calls only).
 * The text is cleared first so the same message twice is announced twice.
 */
export function announce(text: string, assertive = false): void {
  const el = region(assertive ? 'announce-assertive' : 'announce-polite');
  if (!el) return;
  el.textContent = '';
  window.setTimeout(() => {
    el.textContent = text;
  }, 50);
}
