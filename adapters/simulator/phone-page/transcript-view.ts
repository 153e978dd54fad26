/** Renders what the caller hears and sees as a running transcript. */
import type { TranscriptEntry } from '../transcript.js';

const END_TEXT: Record<string, string> = {
  'caller-hangup': 'you hung up',
  'agent-hangup': 'the agent hung up',
  'system-hangup': 'the system hung up',
  'no-answer': 'no answer',
  busy: 'busy',
  failed: 'the call failed',
};

function line(kind: string, speaker: string | null, text: string, at: string): HTMLLIElement {
  const li = document.createElement('li');
  li.className = `line line-${kind}`;
  const time = document.createElement('time');
  time.dateTime = at;
  time.textContent = new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  li.append(time);
  if (speaker) {
    const who = document.createElement('span');
    who.className = 'speaker';
    who.textContent = speaker;
    li.append(who);
  }
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  li.append(body);
  return li;
}

export class TranscriptView {
  private readonly prompts = new Map<string, HTMLLIElement>();

  constructor(private readonly list: HTMLOListElement) {}

  clear(): void {
    this.list.textContent = '';
    this.prompts.clear();
  }

  note(text: string): void {
    this.add(line('note', null, text, new Date().toISOString()));
  }

  show(e: TranscriptEntry): void {
    switch (e.type) {
      case 'call.ringing':
        return this.add(line('event', null, `Calling ${e.to} from ${e.from || 'a withheld number'}…`, e.at));
      case 'call.answered':
        return this.add(line('event', null, 'The line answered.', e.at));
      case 'prompt.started': {
        const li = line('prompt', 'IVR', e.text, e.at);
        li.dataset['playbackId'] = e.playbackId;
        this.prompts.set(e.playbackId, li);
        return this.add(li);
      }
      case 'prompt.finished': {
        const li = this.prompts.get(e.playbackId);
        if (li && !e.completed) {
          li.classList.add('line-cut');
          li.title = 'Cut short by a key press';
        }
        return;
      }
      case 'hold.started':
        return this.add(line('event', null, 'On hold: music is playing.', e.at));
      case 'hold.stopped':
        return this.add(line('event', null, 'Hold music stopped.', e.at));
      case 'digits.received':
        return this.add(line('you', 'You', `pressed ${e.digits}`, e.at));
      case 'call.connected':
        return this.add(line('agent', null, `Connected to agent ${e.agent}.`, e.at));
      case 'call.ended':
        return this.add(line('end', null, `Call ended: ${END_TEXT[e.reason] ?? e.reason}.`, e.at));
    }
  }

  private add(li: HTMLLIElement): void {
    this.list.append(li);
    li.scrollIntoView({ block: 'nearest' });
  }
}
