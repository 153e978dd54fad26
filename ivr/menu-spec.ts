/**
 * A menu node as data. Issue 3 grows this into full flow files; the default
 * flow is already pure configuration compiled into an XState machine.
 */
import type { Prompt } from '../adapters/adapter.js';

export interface MenuSpec {
  /** Node name recorded in the caller's IVR path. */
  node: string;
  /** Played once, before the first menu prompt. Keys pressed during it count. */
  welcome: Prompt | null;
  /** The menu itself, replayed on every retry. */
  menu: Prompt;
  /** Played after a key that is not an option, before the menu is replayed. */
  invalid: Prompt;
  /** Played after the no-input timeout, before the menu is replayed (null: replay the menu alone). */
  noInput: Prompt | null;
  /** Key -> queue id. */
  options: Readonly<Record<string, string>>;
  /** Time allowed after the menu prompt ends before it counts as no input. */
  noInputTimeoutMs: number;
  /** Failures (no input or invalid key) before the caller goes to `fallbackQueue`. */
  maxFailures: number;
  /** Where a caller who cannot use the menu goes: always a human. */
  fallbackQueue: string;
}

/** "Thank you for calling. For support, press 1. For billing, press 2." */
export function defaultMenu(overrides: Partial<Pick<MenuSpec, 'noInputTimeoutMs' | 'maxFailures' | 'fallbackQueue'>> = {}): MenuSpec {
  return {
    node: 'main-menu',
    welcome: { id: 'main-menu.welcome', text: 'Thank you for calling.' },
    menu: { id: 'main-menu.options', text: 'For support, press 1. For billing, press 2.' },
    invalid: { id: 'main-menu.invalid', text: 'That is not a valid choice.' },
    noInput: null,
    options: { '1': 'support', '2': 'billing' },
    noInputTimeoutMs: overrides.noInputTimeoutMs ?? 5_000,
    maxFailures: overrides.maxFailures ?? 3,
    fallbackQueue: overrides.fallbackQueue ?? 'general',
  };
}

/** The prompt a caller hears while waiting for an agent. */
export const HOLD_PROMPT: Prompt = {
  id: 'queue.hold',
  text: 'All our agents are busy. Please hold, and the next available agent will take your call.',
};
