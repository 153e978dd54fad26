/**
 * The phone's registration, always visible: a status chip in the top bar, and a
 * banner in the call column whenever the phone cannot take calls ("phone
 * unreachable", "phone in another tab") with what the agent can do about it.
 */
import type { Controller } from '../controller.js';
import { h, timer } from '../dom.js';
import { t } from '../i18n/index.js';
import type { PhoneState } from '../phone/phone-state.js';

/** The top-bar chip: `data-registration` carries the state for styles and tests. */
export function phoneChip(): { el: HTMLElement; update(p: PhoneState): void } {
  const text = h('span', { class: 'phone-chip-text' });
  const el = h('span', { class: 'phone-chip', role: 'status', 'data-registration': 'off', 'data-role': 'none' }, h('span', { class: 'dot', 'aria-hidden': 'true' }), text);
  return {
    el,
    update(p: PhoneState): void {
      el.dataset['registration'] = p.mode === 'desk' ? 'desk' : p.registration;
      el.dataset['role'] = p.role;
      el.title = p.aor ?? '';
      text.textContent = chipText(p);
    },
  };
}

function chipText(p: PhoneState): string {
  if (p.mode === 'desk') return t('phone.desk');
  if (p.role === 'follower') return t('phone.otherTab');
  switch (p.registration) {
    case 'registered':
      return t('phone.registered');
    case 'unreachable':
      return t('phone.unreachable');
    default:
      return t('phone.connecting');
  }
}

/** The banner, or null when the phone is fine (or a desk phone). */
export function phoneBanner(p: PhoneState, ctl: Controller): HTMLElement | null {
  if (p.mode !== 'softphone') return null;
  if (p.role === 'follower') {
    return h(
      'section',
      { class: 'phone-banner phone-banner-info', 'aria-labelledby': 'phone-banner-title', 'data-banner': 'other-tab' },
      h('div', null, h('h2', { id: 'phone-banner-title' }, t('phone.otherTab')), h('p', { class: 'muted' }, t('phone.otherTabHint'))),
      // Not during a call: taking the registration over would hang it up in the other tab.
      p.call ? null : h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctl.phone.takeOver() }, t('phone.takeOver')),
    );
  }
  if (p.registration === 'unreachable') {
    const retry = p.retryAt
      ? h('span', { class: 'phone-retry' }, t('phone.retryIn'), ' ', timer({ until: p.retryAt, label: t('phone.retryIn') }))
      : h('span', { class: 'phone-retry' }, t('phone.retrying'));
    return h(
      'section',
      { class: 'phone-banner phone-banner-error', role: 'alert', 'aria-labelledby': 'phone-banner-title', 'data-banner': 'unreachable' },
      h('div', null, h('h2', { id: 'phone-banner-title' }, t('phone.unreachable')), h('p', null, t(`phone.reason.${p.reason ?? 'transport'}`)), p.reason === 'media-unsupported' ? null : h('p', { class: 'muted' }, retry)),
      p.reason === 'media-unsupported' ? null : h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => ctl.phone.retryNow() }, t('phone.retryNow')),
    );
  }
  if (p.registration === 'registered' && p.notifications === 'default') {
    return h(
      'div',
      { class: 'phone-banner phone-banner-quiet', 'data-banner': 'notifications' },
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => void ctl.phone.enableNotifications() }, t('phone.notify')),
    );
  }
  return null;
}
