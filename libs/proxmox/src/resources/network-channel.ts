/**
 * libs/network's own small channel over the engine's host channel. A module of its own, outside
 * the engine's public types: @genesis/network is bundled into the engine, not a package, so no
 * exported declaration may name its types (a user's type check could not resolve them).
 */
import { HostCommandError, type HostChannel } from '@genesis/host-channel';
import type { HostChannel as NetworkChannel } from '@genesis/network';

/** libs/network's minimal channel over the host channel: a missing file and a failed command are answers. */
export function networkChannel(host: HostChannel): NetworkChannel {
  return {
    readFile: async (path) => {
      const text = await host.readFile(path);
      if (text === undefined) throw new Error(`${path} does not exist on ${host.description}`);
      return text;
    },
    writeFile: async (path, content) => {
      await host.writeFile(path, content);
    },
    run: async (argv) => {
      try {
        const out = await host.run(argv);
        return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
      } catch (e) {
        if (e instanceof HostCommandError) return { code: e.output.exitCode, stdout: e.output.stdout, stderr: e.output.stderr };
        throw e;
      }
    },
  };
}
