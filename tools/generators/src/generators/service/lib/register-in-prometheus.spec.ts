import { parse } from 'yaml';
import { initializedWorkspace } from '../../../testing/tree';
import { normalizeServiceOptions } from './normalize-options';
import { registerInPrometheus } from './register-in-prometheus';

describe('registerInPrometheus', () => {
  it('adds a job named after the service once, after the existing ones', async () => {
    const tree = await initializedWorkspace();
    const service = normalizeServiceOptions(tree, 'trader');
    registerInPrometheus(tree, service);
    registerInPrometheus(tree, service);
    const jobs = parse(tree.read('infra/compose/prometheus/prometheus.yml', 'utf-8')!).scrape_configs;
    expect(jobs.map((job: { job_name: string }) => job.job_name)).toEqual([
      'prometheus',
      'core',
      'banker',
      'exporters',
      'trader',
    ]);
  });

  it('keeps a hand-tuned job of the same name', async () => {
    const tree = await initializedWorkspace();
    tree.write(
      'infra/compose/prometheus/prometheus.yml',
      'scrape_configs:\n  - job_name: trader # mine\n    scrape_interval: 5s\n',
    );
    registerInPrometheus(tree, normalizeServiceOptions(tree, 'trader'));
    expect(tree.read('infra/compose/prometheus/prometheus.yml', 'utf-8')).toBe(
      'scrape_configs:\n  - job_name: trader # mine\n    scrape_interval: 5s\n',
    );
  });
});
