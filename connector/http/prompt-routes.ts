/**
 * `GET /prompts/:hash.wav`: prompt audio for a PBX that plays by URL (Asterisk's
 * `sound:http://...`). Unauthenticated, like any media a PBX fetches, and safe so:
 * only prompts the connector itself asked for (`PromptAudio.promptUrl`) or already
 * rendered are served, and the name must be a content hash, so no path can escape
 * the prompts directory. The content never changes for a hash: caches may keep it.
 */
import { readFile } from 'node:fs/promises';
import { Router } from 'express';
import { TtsError, type PromptAudio } from '../../ivr/prompts/tts.js';
import { AppError } from '../errors.js';

export function promptRoutes(audio: PromptAudio): Router {
  const r = Router();
  r.get('/prompts/:name', async (req, res) => {
    const match = /^([0-9a-f]{32})\.wav$/.exec(req.params.name);
    let file: string | null = null;
    try {
      file = match ? await audio.fileFor(match[1] as string) : null;
    } catch (err) {
      if (err instanceof TtsError) throw new AppError('PROMPT_UNAVAILABLE', err.message, { cause: err });
      throw err;
    }
    if (!file) throw new AppError('NOT_FOUND', 'No such prompt.');
    const body = await readFile(file);
    res.type('audio/wav').set('Cache-Control', 'public, max-age=31536000, immutable').send(body);
  });
  return r;
}
