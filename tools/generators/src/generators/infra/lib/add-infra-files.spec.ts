import { emptyWorkspace } from '../../../testing/tree';
import { addInfraFiles } from './add-infra-files';

describe('addInfraFiles', () => {
  it('publishes the agreed ports in the dev variant, on loopback only', () => {
    const tree = emptyWorkspace();
    addInfraFiles(tree);
    const dev = tree.read('infra/compose/docker-compose.dev.yml', 'utf-8')!;
    expect(dev).toContain('127.0.0.1:${PROMETHEUS_HOST_PORT:-9090}:9090');
    expect(dev).toContain('127.0.0.1:${GRAFANA_HOST_PORT:-3000}:3000');
    expect(dev).not.toMatch(/- ['"]?\d+:\d+/);
  });
});
