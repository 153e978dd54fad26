import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../connector/config/load.js';
import { ConfigError } from '../connector/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'sb-config-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('configuration', () => {
  it('uses the embedded default when no file is given', () => {
    const { config, source } = loadConfig({ env: {} });
    expect(source).toBeNull();
    expect(config.server).toEqual({ host: '127.0.0.1', port: 3000, allowedOrigins: [] });
    expect(config.adapters).toEqual([{ id: 'sim', kind: 'simulator', enabled: true, charsPerSecond: 15 }]);
    expect(config.agents.map((a) => [a.username, a.role])).toEqual([['alice', 'agent'], ['bob', 'agent'], ['admin', 'admin']]);
    expect(config.seedDemoData).toBe(true);
    expect(config.phone.defaultRegion).toBe('US');
  });

  it('reads a YAML file and fills defaults', () => {
    const p = file('ok.yaml', `
server: { port: 4100 }
phone: { defaultRegion: GB }
adapters:
  - id: pbx1
    kind: asterisk
    url: http://127.0.0.1:8088
    username: switchboard
    password: secret
agents: []
`);
    const { config } = loadConfig({ file: p, env: {} });
    expect(config.server.port).toBe(4100);
    expect(config.phone.defaultRegion).toBe('GB');
    expect(config.adapters[0]).toMatchObject({ kind: 'asterisk', application: 'switchboard', enabled: true });
    expect(config.seedDemoData).toBe(false);
  });

  it('environment variables override the file', () => {
    const p = file('env.yaml', 'server: { port: 4100 }\n');
    const { config } = loadConfig({ file: p, env: { SWITCHBOARD_PORT: '4200', SWITCHBOARD_DATA_DIR: '/tmp/x', SWITCHBOARD_CONFIG: 'ignored' } });
    expect(config.server.port).toBe(4200);
    expect(config.dataDir).toBe('/tmp/x');
  });

  it('SWITCHBOARD_CONFIG names the file', () => {
    const p = file('named.yaml', 'server: { port: 4300 }\n');
    expect(loadConfig({ env: { SWITCHBOARD_CONFIG: p } }).config.server.port).toBe(4300);
  });

  it('reports every problem with its path, one line each', () => {
    const p = file('bad.yaml', `
server: { port: 70000 }
phone: { defaultRegion: usa }
adapters:
  - id: pbx1
    kind: asterisk
    url: not a url
    username: sb
    password: x
  - id: pbx1
    kind: carrier-pigeon
agents:
  - username: carol
    displayName: Carol
    passwordHash: hunter2
    queues: [support, nowhere]
colour: blue
`);
    // The list of adapter kinds grows with each adapter: only its start is pinned here.
    const found = problems(() => loadConfig({ file: p, env: {} })).map((l) => l.replace(/(expected kind to be one of: simulator, asterisk).*/, '$1...'));
    expect(found.sort()).toEqual(
      [
        'adapters[0].url: expected a URL',
        'adapters[1].kind: expected kind to be one of: simulator, asterisk...',
        'agents[0].passwordHash: expected a password hash from `switchboard hash-password` (scrypt$...), never a plain password',
        'phone.defaultRegion: expected a two-letter region code such as US or GB',
        'server.port: expected a port from 0 to 65535',
        '(root): unknown key "colour"',
      ].sort(),
    );
  });

  it('reports cross-field problems: unknown queue, duplicate ids', () => {
    expect(
      problems(() =>
        parseConfig({
          adapters: [{ id: 'a', kind: 'simulator' }, { id: 'a', kind: 'simulator' }],
          agents: [{ username: 'x', displayName: 'X', passwordHash: 'scrypt$1$1$1$AA==$AA==', queues: ['nowhere'] }],
        }),
      ),
    ).toEqual(['adapters[1].id: duplicate id "a"', 'agents[0].queues[0]: unknown queue "nowhere"']);
  });

  it('a port given in the environment that is not a number is named', () => {
    expect(problems(() => loadConfig({ env: { SWITCHBOARD_PORT: 'eighty' } }))).toEqual(['server.port: expected a port number']);
  });

  it('YAML syntax errors name the file, line and column', () => {
    const p = file('syntax.yaml', 'server:\n  port: [1, 2\n');
    const [line] = problems(() => loadConfig({ file: p, env: {} }));
    expect(line).toMatch(/syntax\.yaml:\d+:\d+: /);
  });

  it('a missing file is a clear problem', () => {
    expect(problems(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} }))).toEqual([`${join(dir, 'nope.yaml')}: cannot read the file (ENOENT)`]);
  });
});
