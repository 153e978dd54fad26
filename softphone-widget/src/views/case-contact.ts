/**
 * The case's contact: the matched contact(s) as radios, or a new contact
 * (prefilled with the caller's number), or none.
 */
import type { ScreenPop } from '../../../connector/protocol.js';
import { fullName, isWithheld, matchesOf } from '../caller.js';
import { h } from '../dom.js';
import type { CaseDraft, ContactChoice } from '../drafts.js';
import { FieldErrors, field } from './fields.js';
import { t } from '../i18n/index.js';

export interface ContactFieldset {
  el: HTMLElement;
  read(): Pick<CaseDraft, 'contact' | 'newContact'>;
}

export function contactFieldset(pop: ScreenPop, draft: CaseDraft, errors: FieldErrors, onChoice: () => void): ContactFieldset {
  const name = `contact-${pop.callId.replace(/\W/g, '')}`;
  const radios: HTMLInputElement[] = [];
  const option = (value: ContactChoice, label: string, detail: string | null): HTMLElement => {
    const input = h('input', { type: 'radio', name, value, checked: draft.contact === value });
    input.addEventListener('change', () => {
      syncNewContact();
      onChoice();
    });
    radios.push(input);
    return h('label', { class: 'pick' }, input, h('span', { class: 'pick-name' }, label), detail ? h('span', { class: 'muted' }, ` · ${detail}`) : null);
  };

  const matches = matchesOf(pop);
  const options = [
    ...matches.map((m) => option(`${m.contact.id}`, fullName(m.contact), m.account?.name ?? t('contact.noAccount'))),
    option('new', matches.length ? t('contact.someoneElse') : t('contact.new'), null),
    option('none', t('contact.none'), isWithheld(pop) ? t('contact.withheld') : null),
  ];

  const nc = draft.newContact;
  const firstName = h('input', { name: 'firstName', autocomplete: 'off', value: nc.firstName, maxlength: 100 });
  const lastName = h('input', { name: 'lastName', autocomplete: 'off', value: nc.lastName, maxlength: 100 });
  const email = h('input', { name: 'email', type: 'email', autocomplete: 'off', value: nc.email, maxlength: 200 });
  const phone = h('input', { name: 'phone', type: 'tel', autocomplete: 'off', value: nc.phone, maxlength: 40 });
  const sub = h(
    'div',
    { class: 'new-contact' },
    field(t('contact.first'), firstName, 'newContact.firstName', errors),
    field(t('contact.last'), lastName, 'newContact.lastName', errors),
    field(t('contact.email'), email, 'newContact.email', errors, { hint: t('contact.optional') }),
    field(t('contact.phone'), phone, 'newContact.phone', errors),
  );

  const legendError = h('p', { class: 'field-error', id: `${name}-error`, hidden: true, 'data-error-for': 'contactId' });
  errors.register('contactId', legendError, radios[0] ?? null);
  errors.register('newContact', legendError, null);

  const checked = (): ContactChoice => (radios.find((r) => r.checked)?.value ?? '') as ContactChoice;
  const syncNewContact = (): void => {
    sub.hidden = checked() !== 'new';
  };
  syncNewContact();

  const el = h(
    'fieldset',
    { class: 'contact-fieldset', 'aria-describedby': legendError.id },
    h('legend', null, t('contact.legend')),
    h('div', { class: 'pick-list' }, options),
    legendError,
    sub,
  );

  return {
    el,
    read: () => ({
      contact: checked(),
      newContact: { firstName: firstName.value, lastName: lastName.value, email: email.value, phone: phone.value },
    }),
  };
}
