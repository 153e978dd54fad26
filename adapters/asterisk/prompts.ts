/**
 * Which media URI plays a prompt on Asterisk (the `media` of
 * POST /channels/{channelId}/play, channels.json). In order:
 *
 * 1. `prompt.media` when the flow names one (`sound:hello-world`);
 * 2. `prompts.sounds[prompt.id]` from the adapter config (recorded files);
 * 3. `prompts.urlTemplate`: a prompt rendered by an outside HTTP service;
 * 4. `prompts.render`: a prompt rendered by Switchboard's own TTS and served by
 *    it (`GET /prompts/<hash>.wav`, connector/http/prompt-routes.ts).
 *
 * 3 and 4 play as `sound:http://...`: Asterisk fetches the file with
 * res_http_media_cache (which needs res_curl) and caches it by URL, so a URL
 * SHOULD change with the wording (`{text}` or `{hash}` in the template; the
 * content hash in Switchboard's URLs): never a stale cached file.
 *
 * `sound:NAME` files need nothing beyond the format modules (format_wav,
 * format_gsm, ...) and the files under astdatadir/sounds/LANG.
 */
import { createHash } from 'node:crypto';
import type { Prompt } from '../adapter.js';

export interface PromptOptions {
  /** Prompt id -> media URI, e.g. `{ "main-menu.welcome": "sound:custom/welcome" }`. */
  sounds: Record<string, string>;
  /**
   * URL of a rendered prompt, with `{id}`, `{text}`, `{lang}` and `{hash}` (a hash
   * of the text and language) replaced, URL-encoded; e.g.
   * `http://tts.internal/prompts/{id}.wav?text={text}&lang={lang}`.
   */
  urlTemplate?: string | undefined;
  /** Language passed as `lang` and `{lang}` when the prompt has none. */
  language?: string | undefined;
  /** The http(s) URL of a prompt rendered and served by Switchboard itself (throws when it cannot be). */
  render?: ((prompt: Prompt) => string) | undefined;
}

/** ARI media URI schemes (channels.json play: sound, recording, number, digits, characters, tone). */
const SCHEMES = /^(sound|recording|number|digits|characters|tone):/;

/** The media URI for a prompt, or null when none is configured. */
export function promptMedia(prompt: Prompt, o: PromptOptions): string | null {
  const named = prompt.media ?? o.sounds[prompt.id];
  if (named) return SCHEMES.test(named) ? named : `sound:${named}`;
  if (!o.urlTemplate) return o.render ? `sound:${o.render(prompt)}` : null;
  const lang = prompt.language ?? o.language ?? 'en';
  const hash = createHash('sha256').update(`${lang}\n${prompt.text}`).digest('hex').slice(0, 16);
  const values: Record<string, string> = { id: prompt.id, text: prompt.text, lang, hash };
  const url = o.urlTemplate.replace(/\{(id|text|lang|hash)\}/g, (_, k: string) => encodeURIComponent(values[k] ?? ''));
  return `sound:${url}`;
}
