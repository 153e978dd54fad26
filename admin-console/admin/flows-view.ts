/**
 * IVR flows: listed with their versions; one at a time drawn (the server's SVG,
 * shown as an image so nothing in it can run) with its Mermaid text, and edited:
 * validated (every problem with its line; a click selects the line) and uploaded.
 */
import { h, replaceChildren } from '../../softphone-widget/src/dom.js';
import { ApiError, getJson, send } from '../common/api.js';
import { errorText, section } from '../common/shell.js';

interface FlowSummary {
  name: string;
  version: string;
  description: string | null;
  nodes: number;
}
interface Problem {
  path: string;
  line: number | null;
  message: string;
}

/** Selects line `n` (1-based) of a textarea and scrolls to it. */
function selectLine(area: HTMLTextAreaElement, n: number): void {
  const lines = area.value.split('\n');
  const start = lines.slice(0, n - 1).reduce((s, l) => s + l.length + 1, 0);
  area.focus();
  area.setSelectionRange(start, start + (lines[n - 1]?.length ?? 0));
  area.scrollTop = Math.max(0, (n - 3) * 18);
}

export function flowsView(onChange: () => void): { el: HTMLElement } {
  const list = h('ul', { class: 'flow-list', id: 'flow-list' });
  const diagram = h('div', { class: 'flow-diagram', id: 'flow-diagram' });
  const mermaid = h('pre', { class: 'mermaid-source' });
  const area = h('textarea', { id: 'flow-source', class: 'flow-source mono', spellcheck: 'false', rows: 18, 'aria-label': 'Flow file (YAML)' });
  const problems = h('ol', { class: 'problems', id: 'flow-problems', 'aria-live': 'polite' });
  const status = h('p', { class: 'hint', role: 'status', id: 'flow-status' });
  const heading = h('h3', { class: 'sub-title', id: 'flow-heading' });
  let current: string | null = null;
  let imageUrl: string | null = null;

  const showProblems = (items: Problem[]): void => {
    replaceChildren(
      problems,
      items.map((p) =>
        h(
          'li',
          { class: 'problem' },
          p.line !== null ? h('button', { type: 'button', class: 'btn btn-ghost btn-small mono', onclick: () => selectLine(area, p.line as number) }, `line ${p.line}`) : null,
          h('span', { class: 'mono muted' }, p.path),
          ' ',
          p.message,
        ),
      ),
    );
  };

  const load = async (name: string): Promise<void> => {
    current = name;
    const [flow, drawing] = await Promise.all([
      getJson<FlowSummary & { source: string }>(`/api/flows/${encodeURIComponent(name)}`),
      getJson<{ version: string; mermaid: string; svg: string }>(`/api/admin/flows/${encodeURIComponent(name)}/diagram`),
    ]);
    heading.textContent = `${flow.name} · version ${flow.version}`;
    area.value = flow.source;
    if (imageUrl) URL.revokeObjectURL(imageUrl);
    imageUrl = URL.createObjectURL(new Blob([drawing.svg], { type: 'image/svg+xml' }));
    replaceChildren(diagram, h('img', { src: imageUrl, alt: `Diagram of flow ${flow.name}`, class: 'flow-svg' }));
    mermaid.textContent = drawing.mermaid;
    showProblems([]);
    status.textContent = '';
    for (const li of list.querySelectorAll('button')) li.setAttribute('aria-pressed', String(li.dataset['flow'] === name));
  };

  const refresh = async (select?: string): Promise<void> => {
    const { flows } = await getJson<{ flows: FlowSummary[] }>('/api/flows');
    replaceChildren(
      list,
      flows.map((f) =>
        h(
          'li',
          null,
          h(
            'button',
            { type: 'button', class: 'flow-item', 'data-flow': f.name, 'aria-pressed': String(f.name === (select ?? current)), onclick: () => void load(f.name) },
            h('span', { class: 'flow-name' }, f.name),
            h('span', { class: 'mono muted small' }, f.version),
            h('span', { class: 'muted small' }, `${f.nodes} nodes${f.description ? ` · ${f.description}` : ''}`),
          ),
        ),
      ),
    );
    const first = select ?? current ?? flows[0]?.name;
    if (first) await load(first);
  };

  const validate = async (): Promise<void> => {
    if (!current) return;
    const r = (await (await send('POST', `/api/admin/flows/${encodeURIComponent(current)}/validate`, { text: area.value })).json()) as { ok: boolean; problems: Problem[] };
    showProblems(r.problems);
    status.textContent = r.ok ? 'Valid: ready to upload.' : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}; nothing was applied.`;
  };

  const upload = async (): Promise<void> => {
    if (!current) return;
    try {
      const r = (await (await send('PUT', `/api/flows/${encodeURIComponent(current)}`, { text: area.value })).json()) as { version: string; changed: boolean };
      await refresh(current);
      status.textContent = r.changed ? `Uploaded: version ${r.version} answers new calls.` : 'No change: that version is already in service.';
      onChange();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'VALIDATION_FAILED') {
        // The server's fields: path -> ["line N: message"].
        showProblems(
          Object.entries(err.fields).flatMap(([path, msgs]) =>
            msgs.map((m) => {
              const line = /^line (\d+): /.exec(m);
              return { path, line: line ? Number(line[1]) : null, message: line ? m.slice(line[0].length) : m };
            }),
          ),
        );
      }
      status.textContent = `Not uploaded: ${errorText(err)}`;
    }
  };

  const run = (fn: () => Promise<void>) => () => void fn().catch((err: unknown) => (status.textContent = errorText(err)));
  void refresh().catch((err: unknown) => (status.textContent = errorText(err)));
  return {
    el: section(
      'flows',
      'IVR flows',
      h(
        'div',
        { class: 'flows-grid' },
        h('div', null, list),
        h(
          'div',
          { class: 'flow-detail' },
          heading,
          diagram,
          h('details', { class: 'mermaid' }, h('summary', null, 'Mermaid text'), mermaid),
          h('label', { for: 'flow-source', class: 'sub-label' }, 'Flow file'),
          area,
          h(
            'div',
            { class: 'form-actions' },
            h('button', { type: 'button', class: 'btn btn-secondary', id: 'flow-validate', onclick: run(validate) }, 'Validate'),
            h('button', { type: 'button', class: 'btn btn-primary', id: 'flow-upload', onclick: run(upload) }, 'Upload'),
          ),
          status,
          problems,
        ),
      ),
    ),
  };
}
