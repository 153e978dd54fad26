/**
 * The page: the login form when signed out; otherwise the header, the call
 * column (pops, the call, the case form, the last saved case) and the recent
 * cases. Each region re-renders only when its slice of state changed, and focus
 * moves only when the focused element went away or nobody is typing.
 */
import type { Controller } from '../controller.js';
import { h, replaceChildren, startTicker } from '../dom.js';
import type { AppState, Store } from '../state.js';
import { caseFormView, type CaseFormView } from './case-form.js';
import { headerView } from './header.js';
import { loginView } from './login.js';
import { heldCallsView } from './held-calls.js';
import { onCallView, type OnCallView } from './on-call.js';
import { outboxView } from './outbox-view.js';
import { phoneCard, type PhoneCardView } from './phone-card.js';
import { dialerView } from './dialer.js';
import { devicesPanel } from './devices-view.js';
import { phoneBanner } from './phone-status.js';
import { popCard, type PopCard } from './pop-card.js';
import { recentCasesView, savedView } from './recent-cases.js';
import { t } from '../i18n/index.js';

export function mountApp(root: HTMLElement, store: Store, ctl: Controller): void {
  let mode: string | null = null;
  let work: Workspace | null = null;
  const render = (s: AppState): void => {
    // A language change rebuilds the page in the new language (drafts live in storage, nothing is lost).
    const want = `${s.session ? 'work' : 'login'}:${s.lang}`;
    if (want !== mode) {
      mode = want;
      work = s.session ? workspace(ctl, () => store.get()) : null;
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

function workspace(ctl: Controller, state: () => AppState): Workspace {
  const header = headerView(ctl);
  const notice = h('div', { class: 'notice-slot' });
  const banner = h('div', { class: 'phone-banner-slot' });
  const phoneSlot = h('div', { class: 'phone-slot' });
  const outbox = h('div', { class: 'outbox-slot' });
  const offers = h('div', { class: 'offers' });
  const active = h('div', { class: 'active-slot' });
  const held = h('div', { class: 'held-slot' });
  const wrap = h('div', { class: 'wrap-slot' });
  const saved = h('div', { class: 'saved-slot' });
  const idle = h('div', { class: 'idle-slot' });
  const devices = h('div', { class: 'devices-slot' });
  const dial = h('div', { class: 'dial-slot' });
  const recent = h('aside', { class: 'side', 'aria-label': t('app.recent') });
  const el = h(
    'div',
    { class: 'app' },
    header.el,
    h('main', { class: 'workspace' }, h('section', { class: 'calls', 'aria-label': t('app.calls') }, notice, banner, devices, offers, phoneSlot, active, held, wrap, saved, outbox, idle, dial), recent),
  );

  const cards = new Map<string, PopCard>();
  let onCall: OnCallView | null = null;
  let phone: PhoneCardView | null = null;
  let phoneKey = '';
  let bannerKey = '';
  let dialKey = '';
  let devicesShown = false;
  let formCallId: string | null = null;
  let form: CaseFormView | null = null;
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
              h('button', { type: 'button', class: 'btn btn-ghost btn-small', 'aria-label': t('app.dismissMessage'), onclick: () => ctl.dismissNotice() }, t('app.dismiss')),
            ),
        );
      }

      if (s.offers !== prev?.offers || s.busyOffers !== prev?.busyOffers || s.outboundCalls !== prev?.outboundCalls) {
        const ids = new Set(s.offers.map((o) => o.callId));
        for (const [id, card] of cards) if (!ids.has(id) || card.outbound !== s.outboundCalls.has(id)) (card.el.remove(), cards.delete(id));
        for (const pop of s.offers) {
          let card = cards.get(pop.callId);
          if (!card) {
            card = popCard(pop, ctl, username, s.outboundCalls.has(pop.callId), !!s.activeCall);
            cards.set(pop.callId, card);
            offers.appendChild(card.el);
            const answer = card.answer;
            if (answer && !isEditing()) focusTarget = () => answer.focus();
          }
          card.setBusy(s.busyOffers.has(pop.callId));
        }
      }

      const p = s.phone;
      const nextBannerKey = [p.mode, p.role, p.registration, p.reason, p.retryAt, p.notifications, p.role === 'follower' && !!p.call].join('|');
      if (nextBannerKey !== bannerKey) {
        bannerKey = nextBannerKey;
        replaceChildren(banner, phoneBanner(p, ctl));
      }

      const wantDevices = s.devicesOpen && p.mode === 'softphone';
      if (wantDevices !== devicesShown) {
        devicesShown = wantDevices;
        const panel = wantDevices ? devicesPanel(ctl) : null;
        const hadFocus = devices.contains(document.activeElement);
        replaceChildren(devices, panel);
        if (panel) focusTarget = () => panel.querySelector<HTMLElement>('.devices-head button')?.focus();
        else if (hadFocus) focusTarget = () => el.querySelector<HTMLElement>('[data-action="devices"]')?.focus();
      }

      // The softphone's card: not while its pop is on screen (the pop's Answer answers both).
      const call = p.role === 'leader' ? p.call : null;
      const popShown = !!call?.linkedCallId && s.offers.some((o) => o.callId === call.linkedCallId);
      const shown = call && !(popShown && (call.state === 'ringing' || call.state === 'answering')) ? call : null;
      const nextPhoneKey = shown ? `${shown.id}:${shown.state === 'established' ? 'active' : shown.state === 'dialing' ? 'dialing' : 'ringing'}` : '';
      // The dialer: whenever no call is ringing or in progress (its typed number survives re-renders).
      const nextDialKey = `${p.mode}`;
      if (nextDialKey !== dialKey) {
        dialKey = nextDialKey;
        replaceChildren(dial, dialerView(ctl, p.mode === 'desk').el);
      }
      const dialHidden = s.offers.length > 0 || !!s.activeCall || s.heldCalls.length > 0 || !!shown || (p.mode === 'softphone' && p.role === 'follower' && !!p.call);
      const dialHadFocus = dialHidden && !dial.hidden && dial.contains(document.activeElement);
      dial.hidden = dialHidden;
      if (nextPhoneKey !== phoneKey) {
        phoneKey = nextPhoneKey;
        phone = shown ? phoneCard(shown, ctl, state) : null;
        replaceChildren(phoneSlot, phone?.el);
        const primary = phone?.primary;
        if (primary && (focusLost() || dialHadFocus || !isEditing())) focusTarget = () => primary.focus();
      } else if (shown) phone?.update(shown);

      if (s.outbox !== prev?.outbox) replaceChildren(outbox, outboxView(s.outbox, ctl));

      if (s.activeCall !== prev?.activeCall) {
        onCall = s.activeCall ? onCallView(s.activeCall, ctl, username) : null;
        replaceChildren(active, onCall?.el);
        const hangup = onCall?.hangup;
        if (hangup && (focusLost() || !isEditing())) focusTarget = () => hangup.focus();
      }
      onCall?.setHangingUp(s.hangingUp);

      if (s.heldCalls !== prev?.heldCalls) {
        const hadFocus = held.contains(document.activeElement);
        replaceChildren(held, heldCallsView(s.heldCalls, ctl, username));
        // The held row the agent acted on is gone: focus the next Resume, else the call they went back to.
        if (hadFocus) focusTarget = () => (held.querySelector<HTMLElement>('.held-call .btn-answer') ?? onCall?.hangup)?.focus();
      }

      if ((s.wrapUp?.callId ?? null) !== formCallId) {
        formCallId = s.wrapUp?.callId ?? null;
        const built = s.wrapUp ? caseFormView(s.wrapUp, ctl, username) : null;
        form = built;
        replaceChildren(wrap, built?.el);
        built?.setAgent(s.agent);
        if (built && (focusLost() || !isEditing())) focusTarget = () => built.focusFirst();
      } else if (s.agent !== prev?.agent) form?.setAgent(s.agent);

      if (s.lastSaved !== prev?.lastSaved) {
        replaceChildren(saved, s.lastSaved && savedView(s.lastSaved, ctl));
        const heading = saved.querySelector<HTMLElement>('h2');
        if (heading && focusLost()) focusTarget = () => heading.focus();
      }

      if (s.recentCases !== prev?.recentCases || s.lastSaved !== prev?.lastSaved) {
        replaceChildren(recent, recentCasesView(s.recentCases, s.lastSaved?.record.number ?? null));
      }

      const nothing = !s.offers.length && !s.activeCall && !s.heldCalls.length && !s.wrapUp && !s.lastSaved && !shown;
      replaceChildren(idle, nothing && idleView(s));

      if (!focusTarget && focusLost() && prev) {
        const fallback = el.querySelector<HTMLElement>('.pop-card .btn-answer:not([disabled]), .phone-card .btn-answer, .phone-card .btn-hangup, .on-call .btn-hangup:not([disabled])');
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
      ? [t('idle.connecting'), t('idle.connectingHint')]
      : state === 'available'
        ? [t('idle.waiting'), t('idle.waitingHint')]
        : [t('idle.away'), t('idle.awayHint')];
  return h('div', { class: 'idle' }, h('div', { class: 'idle-icon', 'aria-hidden': 'true' }), h('h2', null, title), h('p', { class: 'muted' }, text));
}
