/**
 * Calls on hold (call waiting, or the agent pressed Hold): one row per caller
 * with how long they have been connected, Resume (which holds the call the
 * agent is on, if any) and Hang up. Nothing when no call is held.
 */
import type { ActiveCall } from '../../../connector/protocol.js';
import { callerName } from '../caller.js';
import type { Controller } from '../controller.js';
import { pickedContactId } from '../drafts.js';
import { h, timer } from '../dom.js';
import { queueLabel } from '../labels.js';
import { t } from '../i18n/index.js';

export function heldCallsView(calls: readonly ActiveCall[], ctl: Controller, username: string): HTMLElement | null {
  if (!calls.length) return null;
  return h(
    'section',
    { class: 'card held-calls', 'aria-labelledby': 'held-title', 'data-count': String(calls.length) },
    h('h2', { id: 'held-title', class: 'held-title' }, t('held.title', { count: calls.length })),
    h(
      'ul',
      { class: 'held-list' },
      ...calls.map((c) => {
        const who = callerName(c.pop, pickedContactId(c.pop, username));
        return h(
          'li',
          { class: 'held-call', 'data-call-id': c.callId },
          h('span', { class: 'badge badge-standard' }, t('call.onHold')),
          h('span', { class: 'held-caller' }, who),
          h('span', { class: 'muted' }, queueLabel(c.pop.queue)),
          timer({ since: c.connectedAt, className: 'call-timer', label: t('call.duration') }),
          h(
            'span',
            { class: 'held-actions' },
            h('button', { type: 'button', class: 'btn btn-answer btn-small', 'aria-label': t('held.resumeWho', { who }), onclick: () => void ctl.resumeCall(c.callId) }, t('call.resume')),
            h('button', { type: 'button', class: 'btn btn-hangup btn-small', 'aria-label': t('held.hangupWho', { who }), onclick: () => void ctl.hangup(c.callId) }, t('call.hangup')),
          ),
        );
      }),
    ),
  );
}
