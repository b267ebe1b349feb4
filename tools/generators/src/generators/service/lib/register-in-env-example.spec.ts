import { initializedWorkspace } from '../../../testing/tree';
import { normalizeServiceOptions } from './normalize-options';
import { registerInEnvExample } from './register-in-env-example';

describe('registerInEnvExample', () => {
  it('appends the port line once', async () => {
    const tree = await initializedWorkspace();
    const service = normalizeServiceOptions(tree, 'trader');
    registerInEnvExample(tree, service);
    registerInEnvExample(tree, service);
    const text = tree.read('infra/compose/.env.example', 'utf-8')!;
    expect(text.match(/^TRADER_HOST_PORT=3003$/gm)).toHaveLength(1);
  });
});
