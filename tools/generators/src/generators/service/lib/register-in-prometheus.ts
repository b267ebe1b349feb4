// Kept in step: a scrape job named after the service, targeting its compose hostname and port.
import type { Tree } from '@nx/devkit';
import { isMap } from 'yaml';
import { prometheusConfigPath } from '../../../utils/paths';
import { ensureRootSeq, readYamlDocument, writeYamlDocument } from '../../../utils/yaml-document';
import type { NormalizedService } from './normalize-options';

export function scrapeJob(service: NormalizedService): Record<string, unknown> {
  return {
    job_name: service.name,
    metrics_path: '/metrics',
    static_configs: [{ targets: [`${service.name}:${service.port}`] }],
  };
}

export function registerInPrometheus(tree: Tree, service: NormalizedService): void {
  const doc = readYamlDocument(tree, prometheusConfigPath);
  const jobs = ensureRootSeq(doc, prometheusConfigPath, 'scrape_configs');
  const exists = jobs.items.some((job) => isMap(job) && job.get('job_name') === service.name);
  if (exists) return;
  if (jobs.flow && jobs.items.length === 0) jobs.flow = false;
  jobs.add(doc.createNode(scrapeJob(service)));
  writeYamlDocument(tree, prometheusConfigPath, doc);
}
