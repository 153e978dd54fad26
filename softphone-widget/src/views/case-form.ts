/**
 * After-call work: the case form, prefilled from the pop, saved to the draft on
 * every input and restored from it after a reload.
 */
import type { AgentSnapshot, CasePriority, CaseStatus, CaseType, WrapUp } from '../../../connector/protocol.js';
import type { Disposition } from '../../../connector/store/types.js';
import { ApiError, NetworkError, type CreateCaseRequest } from '../api.js';
import { callerName, defaultPriority, defaultSubject } from '../caller.js';
import type { Controller } from '../controller.js';
import { formatDuration, h, replaceChildren, timer } from '../dom.js';
import { contactIdOf, draftFor, saveDraft, type CaseDraft } from '../drafts.js';
import { CASE_TYPES, DISPOSITIONS, END_REASONS, PRIORITIES, STATUSES, clockTime, queueLabel } from '../labels.js';
import { contactFieldset } from './case-contact.js';
import { telLink } from './dialer.js';
import { FieldErrors, field, select } from './fields.js';
import { t } from '../i18n/index.js';

export interface CaseFormView {
  el: HTMLElement;
  focusFirst(): void;
  /** Shows the wrap-up limit's countdown while the agent is in after-call work with one, and when it ran out. */
  setAgent(agent: AgentSnapshot | null): void;
}

export function caseFormView(wrapUp: WrapUp, ctl: Controller, username: string): CaseFormView {
  const pop = wrapUp.pop;
  let draft: CaseDraft = draftFor(pop, username);
  const errors = new FieldErrors();

  const subject = h('input', { name: 'subject', value: draft.subject, maxlength: 200, required: true, autocomplete: 'off' });
  const type = select<CaseType>('type', CASE_TYPES, draft.type);
  const priority = select<CasePriority>('priority', PRIORITIES, draft.priority);
  const status = select<CaseStatus>('status', STATUSES, draft.status);
  const description = h('textarea', { name: 'description', rows: 4, maxlength: 10000 });
  description.value = draft.description;
  const disposition = select<Disposition>('disposition', DISPOSITIONS, draft.disposition, t('form.choose'));
  const contact = contactFieldset(pop, draft, errors, () => {
    const id = contactIdOf(contact.read().contact);
    if (!draft.subjectTouched) subject.value = defaultSubject(pop, id);
    if (!draft.priorityTouched) priority.value = defaultPriority(pop, id);
  });

  const formError = h('div', { class: 'form-error', role: 'alert', id: `case-error-${pop.callId}` });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, t('form.save'));
  const finish = h('button', { type: 'button', class: 'btn btn-secondary', onclick: () => void ctl.finishWrapUp(pop.callId) }, t('form.close'));

  const talked = Date.parse(wrapUp.endedAt) - Date.parse(wrapUp.connectedAt);
  const countdown = h('p', { class: 'wrap-countdown', 'data-field': 'wrap-countdown', role: 'status' });
  countdown.hidden = true;
  let shownEnd: string | null = null;
  const setAgent = (agent: AgentSnapshot | null): void => {
    const end = agent?.state === 'after-call-work' ? (agent.wrapUpEndsAt ?? null) : null;
    if (end) {
      if (end === shownEnd) return;
      shownEnd = end;
      countdown.hidden = false;
      countdown.dataset['state'] = 'running';
      replaceChildren(countdown, t('wrap.endsIn'), ' ', timer({ until: end, label: t('wrap.endsIn') }));
    } else if (shownEnd && agent && agent.state !== 'after-call-work') {
      // The limit ran out (or the agent moved on elsewhere): the form stays, nothing typed is lost.
      shownEnd = null;
      countdown.dataset['state'] = 'over';
      replaceChildren(countdown, t('wrap.over'));
    }
  };
  const form = h(
    'form',
    { class: 'card case-form', novalidate: true, 'aria-labelledby': 'case-form-title', 'data-call-id': pop.callId },
    h('p', { class: 'eyebrow' }, t('form.eyebrow')),
    countdown,
    h('h2', { id: 'case-form-title' }, t('form.title', { who: callerName(pop, contactIdOf(draft.contact)) })),
    h('p', { class: 'muted call-summary' }, t('form.summary', { time: clockTime(wrapUp.endedAt), reason: END_REASONS[wrapUp.endReason], talked: formatDuration(talked), queue: queueLabel(pop.queue) })),
    // The caller's number, to call them back from the form (softphone or click-to-dial).
    pop.aniE164 ? h('p', { class: 'call-back' }, telLink(ctl, pop.aniE164, h('span', { class: 'mono', 'data-field': 'call-back' }, pop.aniE164))) : null,
    formError,
    h(
      'div',
      { class: 'form-grid' },
      field(t('form.subject'), subject, 'subject', errors, { className: 'span-3' }),
      field(t('form.type'), type, 'type', errors),
      field(t('form.priority'), priority, 'priority', errors),
      field(t('form.status'), status, 'status', errors),
      h('div', { class: 'span-3' }, contact.el),
      field(t('form.description'), description, 'description', errors, { className: 'span-3' }),
      field(t('form.disposition'), disposition, 'disposition', errors),
    ),
    h('div', { class: 'form-actions' }, save, finish),
  );

  const read = (): CaseDraft => ({
    ...draft,
    ...contact.read(),
    subject: subject.value,
    type: type.value as CaseType,
    priority: priority.value as CasePriority,
    status: status.value as CaseStatus,
    description: description.value,
    disposition: disposition.value as Disposition | '',
  });
  const persist = (e: Event): void => {
    draft = read();
    if (e.target === subject) draft.subjectTouched = true;
    if (e.target === priority) draft.priorityTouched = true;
    saveDraft(draft);
  };
  form.addEventListener('input', persist);
  form.addEventListener('change', persist);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (saving) return;
    draft = read();
    saveDraft(draft);
    errors.clear();
    formError.textContent = '';
    const problems = validate(draft);
    if (Object.keys(problems).length) return showErrors(problems, t('form.check'));
    setSaving(true);
    ctl.saveCase(toRequest(draft), draft.idempotencyKey, callerName(pop, contactIdOf(draft.contact))).catch((err: unknown) => {
      setSaving(false);
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') showErrors(err.fields, err.message);
      else if (err instanceof NetworkError) showErrors({}, t('form.unreachable'));
      else showErrors({}, err instanceof Error ? err.message : t('form.failed'));
    });
  });

  // Not `disabled` while saving: a disabled button drops keyboard focus.
  let saving = false;
  function setSaving(on: boolean): void {
    saving = on;
    save.setAttribute('aria-disabled', String(on));
    save.textContent = on ? t('form.saving') : t('form.save');
  }

  function showErrors(fields: Readonly<Record<string, readonly string[]>>, summary: string): void {
    const unplaced = errors.show(fields);
    formError.replaceChildren(h('p', null, summary), ...unplaced.map((m) => h('p', null, m)));
    (errors.firstInvalid(form) ?? formError).focus();
  }
  formError.tabIndex = -1;

  return { el: form, focusFirst: () => subject.focus(), setAgent };
}

function validate(d: CaseDraft): Record<string, string[]> {
  const p: Record<string, string[]> = {};
  const subject = d.subject.trim();
  if (!subject) p['subject'] = [t('form.needSubject')];
  else if (subject.length > 200) p['subject'] = [t('form.subjectLong')];
  if (d.contact === '') p['contactId'] = [t('form.needContact')];
  if (d.contact === 'new') {
    if (!d.newContact.firstName.trim()) p['newContact.firstName'] = [t('form.needFirst')];
    if (!d.newContact.lastName.trim()) p['newContact.lastName'] = [t('form.needLast')];
  }
  return p;
}

function toRequest(d: CaseDraft): CreateCaseRequest {
  const body: CreateCaseRequest = { callId: d.callId, subject: d.subject.trim(), type: d.type, priority: d.priority, status: d.status };
  if (d.description.trim()) body.description = d.description.trim();
  if (d.disposition) body.disposition = d.disposition;
  const contactId = contactIdOf(d.contact);
  if (contactId !== null) body.contactId = contactId;
  if (d.contact === 'new') {
    const n = d.newContact;
    body.newContact = { firstName: n.firstName.trim(), lastName: n.lastName.trim() };
    if (n.email.trim()) body.newContact.email = n.email.trim();
    if (n.phone.trim()) body.newContact.phone = n.phone.trim();
  }
  return body;
}
