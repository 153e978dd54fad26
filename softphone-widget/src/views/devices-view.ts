/**
 * The audio devices panel: microphone, speaker and ringer, each a select of
 * what the browser offers (enumerateDevices), the choice remembered in
 * localStorage and applied at once. Refreshed when a device is plugged in or out.
 */
import type { Controller } from '../controller.js';
import { h, replaceChildren } from '../dom.js';
import { t, type MessageKey } from '../i18n/index.js';
import { listDevices, unlockLabels, type DeviceKind, type DeviceLists, type DeviceOption } from '../phone/devices.js';

export function devicesPanel(ctl: Controller): HTMLElement {
  const body = h('div', { class: 'devices-body' }, h('p', { class: 'muted' }, t('devices.loading')));
  const close = h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => ctl.toggleDevices(false) }, t('devices.close'));
  const el = h(
    'section',
    { id: 'devices-panel', class: 'card devices', 'aria-labelledby': 'devices-title' },
    h('div', { class: 'devices-head' }, h('h2', { id: 'devices-title', class: 'panel-title' }, t('devices.title')), close),
    body,
  );
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') ctl.toggleDevices(false);
  });

  const refresh = async (): Promise<void> => {
    let lists: DeviceLists;
    try {
      lists = await listDevices();
    } catch {
      lists = { microphones: [], outputs: [], labelsHidden: true, canChooseOutput: false };
    }
    if (!el.isConnected && el.dataset['rendered']) return;
    const focused = document.activeElement?.id;
    replaceChildren(body, form(ctl, lists, refresh));
    el.dataset['rendered'] = 'true';
    if (focused) document.getElementById(focused)?.focus();
  };
  const onChange = (): void => {
    if (el.isConnected) void refresh();
    else navigator.mediaDevices?.removeEventListener('devicechange', onChange);
  };
  navigator.mediaDevices?.addEventListener('devicechange', onChange);
  void refresh();
  return el;
}

function form(ctl: Controller, lists: DeviceLists, refresh: () => Promise<void>): HTMLElement {
  const prefs = ctl.phone.devicePrefs;
  const choice = (kind: DeviceKind, label: MessageKey, options: DeviceOption[], enabled: boolean): HTMLElement => {
    const id = `device-${kind}`;
    const select = h('select', { id, name: kind, disabled: !enabled });
    select.appendChild(h('option', { value: '' }, t('devices.default')));
    for (const o of options) select.appendChild(h('option', { value: o.id }, o.label));
    // A remembered device that is not plugged in now: kept, shown as the default until it is back.
    select.value = options.some((o) => o.id === prefs[kind]) ? prefs[kind] : '';
    select.addEventListener('change', () => ctl.phone.setDevice(kind, select.value));
    return h('div', { class: 'field' }, h('label', { for: id }, t(label)), select);
  };
  return h(
    'div',
    { class: 'devices-grid' },
    choice('microphone', 'devices.microphone', lists.microphones, true),
    choice('speaker', 'devices.speaker', lists.outputs, lists.canChooseOutput),
    choice('ringer', 'devices.ringer', lists.outputs, lists.canChooseOutput),
    h(
      'div',
      { class: 'span-3 devices-notes' },
      h('p', { class: 'hint' }, t('devices.micNext')),
      lists.canChooseOutput ? null : h('p', { class: 'hint' }, t('devices.noOutput')),
      lists.labelsHidden
        ? h(
            'p',
            { class: 'hint' },
            t('devices.labelsHidden'),
            ' ',
            h('button', { type: 'button', id: 'devices-unlock', class: 'btn btn-secondary btn-small', onclick: () => void unlockLabels().then(() => refresh()) }, t('devices.unlock')),
          )
        : null,
    ),
  );
}
