/**
 * Wires the softphone to the widget: its state lives in the store, the
 * connector hears about registration through `phone.state.set`, incoming calls
 * are announced to screen readers and ring with a notification.
 */
import { t } from './i18n/index.js';
import { announce } from './live.js';
import { PhoneController } from './phone/phone-controller.js';
import type { PhoneCall } from './phone/phone-state.js';
import { targetLabel } from './phone/dial-target.js';
import type { Store } from './state.js';

export function callerOf(call: Pick<PhoneCall, 'remoteName' | 'remoteNumber'>): string {
  return call.remoteName ?? (call.remoteNumber || t('call.unknown'));
}

export function createPhone(store: Store, report: (registered: boolean) => void): PhoneController {
  let lastAnnounced: string | null = null;
  return new PhoneController({
    getPhone: () => store.get().phone,
    setPhone: (patch) => {
      const before = store.get().phone;
      store.update((s) => ({ phone: { ...s.phone, ...patch } }));
      const after = store.get().phone;
      // Registration lost or back: say it, once per change (a silent loss is what this widget exists to avoid).
      if (after.mode === 'softphone' && after.role === 'leader' && before.registration !== after.registration) {
        const text = after.registration === 'unreachable' ? t('phone.unreachable') : after.registration === 'registered' && before.registration === 'unreachable' ? t('phone.registered') : null;
        if (text && text !== lastAnnounced) announce(text, after.registration === 'unreachable');
        lastAnnounced = text ?? lastAnnounced;
      }
    },
    report,
    offeredCallIds: () => store.get().offers.map((o) => o.callId),
    announceIncoming: (call) => announce(t('call.incomingFrom', { who: callerOf(call) }), true),
    ringText: (call) => ({ title: t('call.incoming'), body: callerOf(call) }),
    callEnded: (call) => {
      // An outbound call that never connected, and a transfer, are reported: the card is gone.
      const who = callerOf(call);
      const notice =
        call.endReason === 'transferred' && call.transfer
          ? ({ kind: 'info', text: t('call.transferred', { target: targetLabel(call.transfer.target) }) } as const)
          : call.direction === 'out' && !call.answeredAt && call.endReason === 'failed'
            ? ({ kind: 'error', text: call.failStatus ? t('call.failedStatus', { who, status: call.failStatus }) : t('call.failedNoStatus', { who }) } as const)
            : null;
      if (!notice) return;
      store.update({ notice });
      announce(notice.text, notice.kind === 'error');
    },
  });
}
