import { addProjectConfiguration } from '@nx/devkit';
import { emptyWorkspace } from '../../../testing/tree';
import { assertNoCollisions } from './collisions';

describe('assertNoCollisions', () => {
  it('refuses a user library named like a Genesis service, naming where it is and why', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'core', { root: 'libs/core', projectType: 'library' });
    expect(() => assertNoCollisions(tree)).toThrow(
      /"core" is your library at libs\/core, but init registers a service named "core" \(an application with libs\/core\/Dockerfile\).*Rename your project/,
    );
  });

  it('refuses an application without a Dockerfile under a service name', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'banker', { root: 'apps/banker', projectType: 'application' });
    expect(() => assertNoCollisions(tree)).toThrow(/"banker" is your application at apps\/banker/);
  });

  it('refuses an infra project elsewhere than infra/', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'infra', { root: 'ops/infra' });
    expect(() => assertNoCollisions(tree)).toThrow(/"infra" is your project at ops\/infra/);
  });

  it('refuses a project named compose elsewhere than infra/compose (the compose config lives there)', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'compose', { root: 'libs/compose', projectType: 'library' });
    expect(() => assertNoCollisions(tree)).toThrow(
      /"compose" is your project at libs\/compose, but init's compose project lives at infra\/compose\//,
    );
  });

  it('accepts the Genesis projects themselves (init over its own output)', () => {
    const tree = emptyWorkspace();
    addProjectConfiguration(tree, 'core', { root: 'apps/core', projectType: 'application' });
    tree.write('apps/core/Dockerfile', 'FROM scratch\n');
    addProjectConfiguration(tree, 'proxmox', { root: 'libs/proxmox', projectType: 'library' });
    addProjectConfiguration(tree, 'infra', { root: 'infra', projectType: 'application' });
    addProjectConfiguration(tree, 'compose', { root: 'infra/compose', projectType: 'application' });
    expect(() => assertNoCollisions(tree)).not.toThrow();
  });
});
