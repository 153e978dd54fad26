/**
 * The page: the login form when signed out; otherwise the header, the call
 * column (pops, the call, the case form, the last saved case) and the recent
 * cases. Each region re-renders only when its slice of state changed, and focus
 * moves only when the focused element went away or nobody is typing.
 */
import type { Controller } from '../controller.js';
import { h, replaceChildren, startTicker } from '../dom.js';
import type { AppState, Store } from '../state.js';
import { caseFormView } from './case-form.js';
import { headerView } from './header.js';
import { loginView } from './login.js';
import { onCallView, type OnCallView } from './on-call.js';
import { popCard, type PopCard } from './pop-card.js';
import { recentCasesView, savedView } from './recent-cases.js';

export function mountApp(root: HTMLElement, store: Store, ctl: Controller): void {
  let mode: 'login' | 'work' | null = null;
  let work: Workspace | null = null;
  const render = (s: AppState): void => {
    const want = s.session ? 'work' : 'login';
    if (want !== mode) {
      mode = want;
      work = want === 'work' ? workspace(ctl) : null;
      replaceChildren(root, work ? work.el : loginView(ctl, s.notice?.text ?? null));
    }
    work?.update(s);
  };
  store.subscribe(render);
  render(store.get());
  startTicker(root);
}

interface Workspace {
  el: HTMLElement;
  update(s: AppState): void;
}

/** True when the agent is working in a form (the case form): do not take focus away. */
function isEditing(): boolean {
  const a = document.activeElement;
  return !!a && a !== document.body && a.closest('form') !== null;
}

function focusLost(): boolean {
  const a = document.activeElement;
  return !a || a === document.body;
}

function workspace(ctl: Controller): Workspace {
  const header = headerView(ctl);
  const notice = h('div', { class: 'notice-slot' });
  const offers = h('div', { class: 'offers' });
  const active = h('div', { class: 'active-slot' });
  const wrap = h('div', { class: 'wrap-slot' });
  const saved = h('div', { class: 'saved-slot' });
  const idle = h('div', { class: 'idle-slot' });
  const recent = h('aside', { class: 'side', 'aria-label': 'Recent cases' });
  const el = h(
    'div',
    { class: 'app' },
    header.el,
    h('main', { class: 'workspace' }, h('section', { class: 'calls', 'aria-label': 'Calls' }, notice, offers, active, wrap, saved, idle), recent),
  );

  const cards = new Map<string, PopCard>();
  let onCall: OnCallView | null = null;
  let formCallId: string | null = null;
  let prev: AppState | null = null;

  return {
    el,
    update(s: AppState): void {
      const username = s.session?.username ?? '';
      let focusTarget: (() => void) | null = null;
      header.update(s);

      if (s.notice !== prev?.notice) {
        replaceChildren(
          notice,
          s.notice &&
            h(
              'div',
              { class: `notice notice-${s.notice.kind}`, role: s.notice.kind === 'error' ? 'alert' : 'status' },
              h('span', null, s.notice.text),
              h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': 'Dismiss message', onclick: () => ctl.dismissNotice() }, 'Dismiss'),
            ),
        );
      }

      if (s.offers !== prev?.offers || s.busyOffers !== prev?.busyOffers) {
        const ids = new Set(s.offers.map((o) => o.callId));
        for (const [id, card] of cards) if (!ids.has(id)) (card.el.remove(), cards.delete(id));
        for (const pop of s.offers) {
          let card = cards.get(pop.callId);
          if (!card) {
            card = popCard(pop, ctl, username);
            cards.set(pop.callId, card);
            offers.appendChild(card.el);
            const answer = card.answer;
            if (!isEditing()) focusTarget = () => answer.focus();
          }
          card.setBusy(s.busyOffers.has(pop.callId));
        }
      }

      if (s.activeCall !== prev?.activeCall) {
        onCall = s.activeCall ? onCallView(s.activeCall, ctl, username) : null;
        replaceChildren(active, onCall?.el);
        const hangup = onCall?.hangup;
        if (hangup && (focusLost() || !isEditing())) focusTarget = () => hangup.focus();
      }
      onCall?.setHangingUp(s.hangingUp);

      if ((s.wrapUp?.callId ?? null) !== formCallId) {
        formCallId = s.wrapUp?.callId ?? null;
        const form = s.wrapUp ? caseFormView(s.wrapUp, ctl, username) : null;
        replaceChildren(wrap, form?.el);
        if (form && (focusLost() || !isEditing())) focusTarget = () => form.focusFirst();
      }

      if (s.lastSaved !== prev?.lastSaved) {
        replaceChildren(saved, s.lastSaved && savedView(s.lastSaved, ctl));
        const heading = saved.querySelector<HTMLElement>('h2');
        if (heading && focusLost()) focusTarget = () => heading.focus();
      }

      if (s.recentCases !== prev?.recentCases || s.lastSaved !== prev?.lastSaved) {
        replaceChildren(recent, recentCasesView(s.recentCases, s.lastSaved?.record.number ?? null));
      }

      const nothing = !s.offers.length && !s.activeCall && !s.wrapUp && !s.lastSaved;
      replaceChildren(idle, nothing && idleView(s));

      if (!focusTarget && focusLost() && prev) {
        const fallback = el.querySelector<HTMLElement>('.pop-card .btn-answer:not([disabled]), .on-call .btn-hangup:not([disabled])');
        if (fallback) focusTarget = () => fallback.focus();
      }
      focusTarget?.();
      prev = s;
    },
  };
}

function idleView(s: AppState): HTMLElement {
  const state = s.agent?.state;
  const [title, text] =
    s.connection !== 'connected'
      ? ['Connecting to the server…', 'Calls will appear here as soon as the connection is up.']
      : state === 'available'
        ? ['Waiting for calls', 'Incoming calls appear here with everything known about the caller.']
        : ['You are away', 'Set your state to Available to receive calls.'];
  return h('div', { class: 'idle' }, h('div', { class: 'idle-icon', 'aria-hidden': 'true' }), h('h2', null, title), h('p', { class: 'muted' }, text));
}
