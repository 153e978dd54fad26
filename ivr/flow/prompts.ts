/** Choosing a prompt's text or audio for the caller's language. */
import type { Prompt } from '../../adapters/adapter.js';
import type { PromptSpec } from './schema.js';

/** The prompt in `language`, else in `fallback` (validation makes sure each declared language has one). */
export function resolvePrompt(spec: PromptSpec, id: string, language: string, fallback: string): Prompt {
  const part = spec[language] ?? spec[fallback] ?? Object.values(spec)[0] ?? '';
  const lang = spec[language] !== undefined ? language : fallback;
  if (typeof part === 'string') return { id, text: part, language: lang };
  return { id, text: part.text ?? '', ...(part.audio ? { media: part.audio } : {}), language: lang };
}
