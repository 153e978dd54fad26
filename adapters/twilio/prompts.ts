/**
 * Which TwiML verb plays a prompt. In order:
 *
 * 1. `prompt.media` when the flow names an http(s) URL;
 * 2. `prompts.sounds[prompt.id]` from the adapter config (recorded files);
 * 3. `prompts.urlTemplate`: a prompt rendered by an outside HTTP service;
 * 4. `prompts.tts: twilio`: `<Say>` (Twilio's text-to-speech, `voice`, `language`);
 * 5. otherwise Switchboard's own TTS: `<Play>` of `<publicUrl>/prompts/<hash>.wav`
 *    (connector/http/prompt-routes.ts), which Twilio fetches over HTTPS.
 *
 * Twilio caches fetched audio by URL; Switchboard's URLs change with the wording
 * (a content hash), so a changed prompt is never played from a stale cache.
 */
import { createHash } from 'node:crypto';
import type { Prompt } from '../adapter.js';
import type { TwilioPromptOptions } from './options.js';
import type { Play, Say } from './twiml.js';

/** Flow languages -> `<Say language>` (BCP-47). Anything with a region passes through. */
const SAY_LANGUAGES: Record<string, string> = { en: 'en-US', ja: 'ja-JP', fr: 'fr-FR', de: 'de-DE', es: 'es-ES', it: 'it-IT', pt: 'pt-BR', zh: 'cmn-CN', ko: 'ko-KR' };

export function sayLanguage(lang: string | undefined): string | undefined {
  if (!lang) return undefined;
  return lang.includes('-') ? lang : (SAY_LANGUAGES[lang.toLowerCase()] ?? lang);
}

const HTTP = /^https?:\/\//i;

/** The verb for a prompt; throws (with a reason) when none can be made. */
export function promptVerb(prompt: Prompt, o: TwilioPromptOptions): Play | Say {
  const named = prompt.media && HTTP.test(prompt.media) ? prompt.media : o.sounds[prompt.id];
  if (named) return { verb: 'Play', url: named };
  const lang = prompt.language ?? o.language ?? 'en';
  if (o.urlTemplate) {
    const hash = createHash('sha256').update(`${lang}\n${prompt.text}`).digest('hex').slice(0, 16);
    const values: Record<string, string> = { id: prompt.id, text: prompt.text, lang, hash };
    return { verb: 'Play', url: o.urlTemplate.replace(/\{(id|text|lang|hash)\}/g, (_, k: string) => encodeURIComponent(values[k] ?? '')) };
  }
  if (!prompt.text.trim()) throw new Error('the prompt has no text and no audio');
  if (o.tts === 'twilio' || !o.render) return { verb: 'Say', text: prompt.text, voice: o.voice, language: sayLanguage(lang) };
  return { verb: 'Play', url: o.render({ ...prompt, language: lang }) };
}
