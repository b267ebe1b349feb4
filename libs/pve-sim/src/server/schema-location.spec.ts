// Which schema the simulator checks requests against, and when a missing one is an error: a place
// someone named (PVE_SCHEMA, PVE_API_DIR, the schema option) must hold it; without one (a user's
// workspace, a global install) the simulator runs unchecked and says how to check.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { schemaLocation } from '../schema';
import { startSimulator } from './simulator';
import { SimClient } from './testing';

let dir: string;
const saved = { PVE_SCHEMA: process.env.PVE_SCHEMA, PVE_API_DIR: process.env.PVE_API_DIR };
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pve-sim-schema-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('schemaLocation', () => {
  it('PVE_SCHEMA names one file for every release; PVE_API_DIR a folder of release files', () => {
    expect(schemaLocation({ PVE_SCHEMA: 'host/apidoc.js', PVE_API_DIR: '/x' }, '8.4', dir)).toEqual({
      path: resolve('host/apidoc.js'),
      setBy: 'PVE_SCHEMA',
    });
    expect(schemaLocation({ PVE_API_DIR: '/srv/pve-api' }, '8.4', dir)).toEqual({
      path: '/srv/pve-api/pve-8.4.2-apischema.json',
      setBy: 'PVE_API_DIR',
    });
  });

  it("without a variable: the checkout's ../shared/pve-api beside the nx.json above, named by nobody", () => {
    const repo = join(dir, 'repo');
    mkdirSync(join(repo, 'libs/pve-sim'), { recursive: true });
    writeFileSync(join(repo, 'nx.json'), '{}');
    expect(schemaLocation({ PVE_SCHEMA: ' ' }, '9.1', join(repo, 'libs/pve-sim'))).toEqual({
      path: join(dir, 'shared/pve-api/pve-9.1.3-apischema.json'),
    });
  });

  it('nothing at all outside a workspace (a globally installed CLI)', () => {
    expect(schemaLocation({}, '9.1', dir)).toBeUndefined();
  });
});

describe('startSimulator and a schema that is not there', () => {
  it('refuses to start when PVE_API_DIR names a folder without it, naming the variable and the fix', async () => {
    delete process.env.PVE_SCHEMA;
    process.env.PVE_API_DIR = dir;
    await expect(startSimulator({ warn: () => undefined })).rejects.toThrow(
      `pve-sim: no PVE 9.1 API schema at ${dir}/pve-9.1.3-apischema.json, the file PVE_API_DIR names; ` +
        "point it at the schema: set PVE_SCHEMA to a PVE 9.1 host's /usr/share/pve-docs/api-viewer/apidoc.js",
    );
  });

  it('refuses a missing file given as the schema option', async () => {
    await expect(startSimulator({ schemaPath: join(dir, 'apidoc.js'), pveVersion: '8.4' })).rejects.toThrow(
      `no PVE 8.4 API schema at ${dir}/apidoc.js, the file the schema option names`,
    );
  });

  it("checks requests against a host's apidoc.js named by PVE_SCHEMA", async () => {
    // The form a PVE host serves: `const apiSchema = [...];` then the viewer's code.
    const apidoc = join(dir, 'apidoc.js');
    const version = { path: '/version', text: 'version', leaf: 1, info: { GET: { parameters: { additionalProperties: 0 } } } };
    writeFileSync(apidoc, `const apiSchema = ${JSON.stringify([version])};\nExt.onReady(() => {});\n`);
    process.env.PVE_SCHEMA = apidoc;
    const warnings: string[] = [];
    const sim = await startSimulator({ warn: (m) => warnings.push(m) });
    try {
      expect(sim.schemaPath).toBe(apidoc);
      expect(warnings).toEqual([]);
      // That schema knows only /version: the simulator's /nodes is refused as PVE refuses an unknown path.
      const root = new SimClient(sim, sim.tokens.root);
      expect((await root.raw('GET', '/version')).status).toBe(200);
      expect(await root.raw('GET', '/nodes')).toMatchObject({ status: 501 });
    } finally {
      await sim.stop();
    }
  });
});
