/**
 * Form fields with labelled controls and error slots. Errors are keyed by the
 * server's field paths (`subject`, `newContact.firstName`), so a 400's `fields`
 * map lands next to the right control.
 */
import { h, type Child } from '../dom.js';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export class FieldErrors {
  private readonly slots = new Map<string, { control: Control | null; message: HTMLElement }>();

  /** Registers an error slot for `path`; `control` gets aria-invalid and aria-describedby. */
  register(path: string, message: HTMLElement, control: Control | null): void {
    this.slots.set(path, { control, message });
    if (control) control.setAttribute('aria-describedby', [control.getAttribute('aria-describedby'), message.id].filter(Boolean).join(' '));
  }

  clear(): void {
    for (const { control, message } of this.slots.values()) {
      message.textContent = '';
      message.hidden = true;
      control?.removeAttribute('aria-invalid');
    }
  }

  /** Shows the messages; returns those whose path has no slot (for the form-level error). */
  show(fields: Readonly<Record<string, readonly string[]>>): string[] {
    const unplaced: string[] = [];
    for (const [path, messages] of Object.entries(fields)) {
      const slot = this.slots.get(path) ?? this.slots.get(path.split('.')[0] ?? '');
      if (!slot) {
        unplaced.push(...messages.map((m) => `${path}: ${m}`));
        continue;
      }
      slot.message.textContent = messages.join(' ');
      slot.message.hidden = false;
      slot.control?.setAttribute('aria-invalid', 'true');
    }
    return unplaced;
  }

  /** The first control (in DOM order) that shows an error. */
  firstInvalid(root: HTMLElement): HTMLElement | null {
    return root.querySelector<HTMLElement>('[aria-invalid="true"]');
  }
}

let seq = 0;

/** A labelled field: label, control, optional hint, error slot. */
export function field(label: string, control: Control, path: string, errors: FieldErrors, opts: { hint?: string; className?: string } = {}): HTMLElement {
  control.id ||= `f-${path.replace(/\W/g, '-')}-${++seq}`;
  const message = h('p', { class: 'field-error', id: `${control.id}-error`, hidden: true, 'data-error-for': path });
  const hint = opts.hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, opts.hint) : null;
  if (hint) control.setAttribute('aria-describedby', hint.id);
  errors.register(path, message, control);
  return h('div', { class: `field ${opts.className ?? ''}`.trim() }, h('label', { for: control.id }, label), control, hint, message);
}

/** A `<select>` from a value -> label map. */
export function select<V extends string>(name: string, options: Record<V, string>, value: V | '', placeholder?: string): HTMLSelectElement {
  const children: Child[] = placeholder !== undefined ? [h('option', { value: '' }, placeholder)] : [];
  for (const [v, label] of Object.entries(options) as Array<[V, string]>) children.push(h('option', { value: v }, label));
  const el = h('select', { name }, children);
  el.value = value;
  return el;
}
