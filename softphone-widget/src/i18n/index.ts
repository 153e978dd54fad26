/**
 * UI language: English or Japanese. Chosen by the agent (kept in localStorage)
 * or, until then, by the browser's languages. Views call `t()` while building
 * DOM; changing the language rebuilds the workspace.
 */
import { en, type MessageKey } from './en.js';
import { ja } from './ja.js';

export type Lang = 'en' | 'ja';
export type { MessageKey };

export const LANGS: Record<Lang, string> = { en: en['lang.name'], ja: ja['lang.name'] };
const TABLES: Record<Lang, Record<MessageKey, string>> = { en, ja };
const KEY = 'switchboard.lang';

let current: Lang = detect();

function detect(): Lang {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === 'en' || stored === 'ja') return stored;
  } catch {
    // No storage: fall back to the browser.
  }
  const langs = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  return langs.some((l) => /^ja\b/i.test(l)) ? 'ja' : 'en';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  document.documentElement.lang = next;
  try {
    localStorage.setItem(KEY, next);
  } catch {
    // The choice lasts until the page closes.
  }
}

/** The string for `key` in the current language, `{name}` placeholders filled from `vars`. */
export function t(key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text = TABLES[current][key] ?? en[key];
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}
