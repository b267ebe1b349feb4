/**
 * smol-toml (TOML 1.0, spec-compliant parse and stringify). It is an ES module whose CommonJS build
 * (`require` export) this CommonJS project loads; the types come from the same package.
 */
import { createRequire } from 'node:module';
import type * as SmolToml from 'smol-toml' with { 'resolution-mode': 'import' };

const load = createRequire(__filename);
export const { parse, stringify, TomlError } = load('smol-toml') as typeof SmolToml;
