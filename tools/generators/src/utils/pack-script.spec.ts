// scripts/pack.cjs (the `pack` target of every package): the packed manifest and the refusals,
// with the real `npm pack` on a throw-away workspace.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Manifest {
  name: string;
  version: string;
  [field: string]: unknown;
}
const { distManifest, pack } = createRequire(__filename)('../../scripts/pack.cjs') as {
  distManifest: (source: Manifest) => Manifest | null;
  pack: (argv: string[], root: string) => string;
};

describe('scripts/pack.cjs', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'genesis-pack-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const source: Manifest = {
    name: '@genesis/demo',
    version: '1.2.3',
    private: true,
    main: './src/index.ts',
    types: './src/index.ts',
    dependencies: { yaml: '2.9.1' },
    publishConfig: { main: './index.js', bin: { demo: './cli.js' } },
  };
  const writeProject = (built: Record<string, string>) => {
    mkdirSync(join(root, 'libs/demo'), { recursive: true });
    writeFileSync(join(root, 'libs/demo/package.json'), JSON.stringify(source));
    mkdirSync(join(root, 'dist/libs/demo'), { recursive: true });
    for (const [file, content] of Object.entries(built))
      writeFileSync(join(root, 'dist/libs/demo', file), content);
  };

  it("replaces the workspace's TypeScript entry points with publishConfig's", () => {
    expect(distManifest(source)).toEqual({
      name: '@genesis/demo',
      version: '1.2.3',
      private: true,
      dependencies: { yaml: '2.9.1' },
      main: './index.js',
      bin: { demo: './cli.js' },
    });
    expect(distManifest({ name: 'x', version: '1.0.0' })).toBeNull();
  });

  it('packs the built folder into dist/packages, replacing an older version of the same package', () => {
    writeProject({ 'index.js': 'module.exports = 1;\n', 'cli.js': '#!/usr/bin/env node\n' });
    mkdirSync(join(root, 'dist/packages'));
    writeFileSync(join(root, 'dist/packages/genesis-demo-1.2.2.tgz'), '');
    writeFileSync(join(root, 'dist/packages/genesis-demo-extra-1.0.0.tgz'), '');
    const tarball = pack(['libs/demo'], root);
    expect(tarball).toBe(join(root, 'dist/packages/genesis-demo-1.2.3.tgz'));
    expect(readdirSync(join(root, 'dist/packages')).sort()).toEqual([
      'genesis-demo-1.2.3.tgz',
      'genesis-demo-extra-1.0.0.tgz',
    ]);
    const packed = JSON.parse(
      execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf-8' }),
    );
    expect(packed).toMatchObject({
      main: './index.js',
      bin: { demo: './cli.js' },
      dependencies: { yaml: '2.9.1' },
    });
    expect(packed).not.toHaveProperty('publishConfig');
    expect(packed).not.toHaveProperty('types');
  }, 60_000);

  it('refuses a package whose entry point was not built, naming it', () => {
    writeProject({ 'index.js': 'module.exports = 1;\n' });
    expect(() => pack(['libs/demo'], root)).toThrow(
      /@genesis\/demo: \.\/cli\.js \(named in its package\.json\) is not in dist\/libs\/demo/,
    );
  });

  it('packs the declarations publishConfig names, and refuses a package whose .d.ts is missing', () => {
    const typed = { ...source, publishConfig: { main: './index.js', types: './index.d.ts' } };
    mkdirSync(join(root, 'libs/demo'), { recursive: true });
    writeFileSync(join(root, 'libs/demo/package.json'), JSON.stringify(typed));
    mkdirSync(join(root, 'dist/libs/demo'), { recursive: true });
    writeFileSync(join(root, 'dist/libs/demo/index.js'), 'module.exports = 1;\n');
    expect(() => pack(['libs/demo'], root)).toThrow(
      /@genesis\/demo: \.\/index\.d\.ts \(named in its package\.json\) is not in dist\/libs\/demo or dist\/types\/libs\/demo/,
    );
    // The declarations target writes its own folder; pack puts its .d.ts beside the bundle.
    mkdirSync(join(root, 'dist/types/libs/demo/lib'), { recursive: true });
    writeFileSync(join(root, 'dist/types/libs/demo/index.d.ts'), "export * from './lib/demo';\n");
    writeFileSync(join(root, 'dist/types/libs/demo/lib/demo.d.ts'), 'export declare const demo: 1;\n');
    writeFileSync(join(root, 'dist/types/libs/demo/tsconfig.lib.tsbuildinfo'), '{}');
    const tarball = pack(['libs/demo'], root);
    const listing = execFileSync('tar', ['tzf', tarball], { encoding: 'utf-8' }).split('\n');
    expect(listing).toEqual(
      expect.arrayContaining(['package/index.js', 'package/index.d.ts', 'package/lib/demo.d.ts']),
    );
    expect(listing.filter((f) => f.endsWith('.tsbuildinfo'))).toEqual([]);
    // Assembled elsewhere: the targets' own outputs stay as they wrote them (Nx's cache holds them).
    expect(readdirSync(join(root, 'dist/libs/demo'))).toEqual(['index.js']);
    const packed = JSON.parse(
      execFileSync('tar', ['xzf', tarball, '-O', 'package/package.json'], { encoding: 'utf-8' }),
    );
    expect(packed.types).toBe('./index.d.ts');
  }, 60_000);

  it('refuses a package that was not built', () => {
    mkdirSync(join(root, 'libs/demo'), { recursive: true });
    writeFileSync(join(root, 'libs/demo/package.json'), JSON.stringify(source));
    expect(() => pack(['libs/demo'], root)).toThrow(
      /dist\/libs\/demo does not exist: build the package first/,
    );
  });
});
