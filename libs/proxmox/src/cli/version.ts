/** `genesis --version`: the package's version, answered before anything else is loaded or started. */
import pkg from '../../package.json';

export const GENESIS_VERSION: string = pkg.version;

export const versionLine = () => `genesis ${GENESIS_VERSION} (node ${process.versions.node})`;
