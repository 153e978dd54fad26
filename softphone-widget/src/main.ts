/**
 * Entry point of the agent widget (`/agent/`): one store, one controller, one view tree.
 */
import { Controller } from './controller.js';
import { startBridge } from './embed/bridge.js';
import { lang, setLang } from './i18n/index.js';
import { Store, initialState } from './state.js';
import { mountApp } from './views/app.js';

const root = document.getElementById('app');
if (!root) throw new Error('index.html must contain #app');

setLang(lang());
const store = new Store({ ...initialState, lang: lang() });
const controller = new Controller(store);
mountApp(root, store, controller);
controller.start();
// Embedded in a CRM page (an iframe): the postMessage API for origins the connector allows.
startBridge(store, controller, controller.api);
