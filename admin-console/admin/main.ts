/** Entry point of the admin console (`/admin/`, admin role only): adapters, agents, flows, audit log. */
import { h } from '../../softphone-widget/src/dom.js';
import { getJson } from '../common/api.js';
import { mountConsole } from '../common/shell.js';
import { adaptersView } from './adapters-view.js';
import { agentsView } from './agents-view.js';
import { auditView } from './audit-view.js';
import { flowsView } from './flows-view.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html must contain #app');

mountConsole(root, {
  id: 'admin',
  title: 'Admin console',
  needs: 'the admin role',
  check: () => getJson('/api/admin/adapters'),
  render(main) {
    const audit = auditView();
    const adapters = adaptersView(() => void audit.refresh());
    const agents = agentsView(() => void audit.refresh());
    const flows = flowsView(() => void audit.refresh());
    main.append(
      h('h1', { class: 'page-title' }, 'Admin console'),
      h('div', { class: 'console-grid' }, adapters.el, agents.el, flows.el, audit.el),
    );
    return () => adapters.stop();
  },
});
