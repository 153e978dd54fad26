/**
 * What `playback` plays for a prompt on FreeSWITCH (the `execute-app-arg` of a
 * `sendmsg execute playback`). In order:
 *
 * 1. `prompt.media` when the flow names one, verbatim: a file under the sounds
 *    directory (`ivr/ivr-welcome.wav`, found through `sound_prefix`), an absolute
 *    path, `tone_stream://...`, `say:...`, `http_cache://...`;
 * 2. `prompts.sounds[prompt.id]` from the adapter config, verbatim;
 * 3. `prompts.urlTemplate`: a prompt rendered by an outside HTTP service;
 * 4. `prompts.render`: a prompt rendered by Switchboard's own TTS and served by it
 *    (`GET /prompts/<hash>.wav`, connector/http/prompt-routes.ts).
 *
 * 3 and 4 play as `http_cache://<url>`: mod_http_cache fetches the file once and
 * keeps it by URL, so a URL SHOULD change with the wording (`{text}` or `{hash}` in
 * the template; the content hash in Switchboard's URLs) and SHOULD end in the
 * file's extension (`.wav`): FreeSWITCH picks the file format from it.
 */
import { createHash } from 'node:crypto';
import type { Prompt } from '../adapter.js';

export interface PromptOptions {
  /** Prompt id -> what `playback` plays, e.g. `{ "main-menu.welcome": "ivr/ivr-welcome.wav" }`. */
  sounds: Record<string, string>;
  /** URL of a rendered prompt, `{id}`, `{text}`, `{lang}`, `{hash}` replaced (URL-encoded). */
  urlTemplate?: string | undefined;
  /** Language for `{lang}` when the prompt has none. */
  language?: string | undefined;
  /** The http(s) URL of a prompt rendered and served by Switchboard itself (throws when it cannot be). */
  render?: ((prompt: Prompt) => string) | undefined;
}

/** What `playback` should play for a prompt, or null when nothing is configured. */
export function promptMedia(prompt: Prompt, o: PromptOptions): string | null {
  const named = prompt.media ?? o.sounds[prompt.id];
  if (named) return named;
  if (!o.urlTemplate) return o.render ? `http_cache://${o.render(prompt)}` : null;
  const lang = prompt.language ?? o.language ?? 'en';
  const hash = createHash('sha256').update(`${lang}\n${prompt.text}`).digest('hex').slice(0, 16);
  const values: Record<string, string> = { id: prompt.id, text: prompt.text, lang, hash };
  const url = o.urlTemplate.replace(/\{(id|text|lang|hash)\}/g, (_, k: string) => encodeURIComponent(values[k] ?? ''));
  return `http_cache://${url}`;
}
