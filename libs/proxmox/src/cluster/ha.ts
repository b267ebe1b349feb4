/**
 * HA for the VMs that declare `ha:` (never one with a GPU: the loader refuses that). Each such VM
 * is an HA resource (`vm:ID`, state started/stopped); its preferred nodes become a node-affinity
 * rule on PVE 9.x (`/cluster/ha/rules`) or an HA group on 8.4 (`/cluster/ha/groups`, which 9.x
 * migrated to rules), named `genesis-<vm name>`, priorities in the declared order.
 */
import type { PveApi } from '../client/types';
import type { DesiredSpec, VmSpec } from '../state/schema';
import {
  createHaGroup,
  createHaResource,
  createHaRule,
  listHaGroups,
  listHaResources,
  listHaRules,
  updateHaGroup,
  updateHaResource,
  updateHaRule,
} from './api';

export interface HaChange {
  id: string;
  action: 'create' | 'update' | 'unchanged';
  detail?: string;
  apply?: (api: PveApi) => Promise<unknown>;
}

export const haName = (vm: VmSpec) => `genesis-${vm.name.toLowerCase()}`;
/** `pve2:2,pve3:1`: the first node the most preferred. */
export const haNodeList = (nodes: string[]) => nodes.map((n, i) => `${n}:${nodes.length - i}`).join(',');

/** Whether this release places HA resources with rules (9.x) or groups (8.4). */
export const usesHaRules = (release: string) => Number.parseFloat(release) >= 9;

export async function planHa(
  api: PveApi,
  spec: DesiredSpec,
  vms: VmSpec[],
  release: string,
): Promise<HaChange[]> {
  const wanted = vms.filter((v) => v.ha);
  if (!wanted.length) return [];
  const rules = usesHaRules(release);
  // Before the cluster exists the node has no HA configuration: everything is still to create.
  const none = <T>(error: unknown): T[] => {
    if (/no cluster configured/.test((error as Error).message ?? '')) return [];
    throw error;
  };
  const [resources, placements] = await Promise.all([
    listHaResources(api).catch(none<Awaited<ReturnType<typeof listHaResources>>[number]>),
    rules
      ? listHaRules(api).catch(none<Awaited<ReturnType<typeof listHaRules>>[number]>)
      : listHaGroups(api).catch(none<Awaited<ReturnType<typeof listHaGroups>>[number]>),
  ]);
  const changes: HaChange[] = [];
  for (const vm of wanted) {
    const ha = vm.ha!;
    const sid = `vm:${vm.id}`;
    const name = haName(vm);
    const nodes = haNodeList(ha.nodes);
    if (ha.nodes.length) {
      if (rules) {
        const rule = (placements as Awaited<ReturnType<typeof listHaRules>>).find((r) => r.rule === name);
        const same =
          rule &&
          rule.type === 'node-affinity' &&
          rule.resources === sid &&
          rule.nodes === nodes &&
          !!rule.strict === ha.strict;
        const body = { type: 'node-affinity', resources: sid, nodes, strict: ha.strict };
        changes.push(
          same
            ? { id: `ha rule ${name}`, action: 'unchanged' }
            : rule
              ? {
                  id: `ha rule ${name}`,
                  action: 'update',
                  detail: `nodes ${rule.nodes ?? '-'} → ${nodes}`,
                  apply: (a) => updateHaRule(a, name, body),
                }
              : {
                  id: `ha rule ${name}`,
                  action: 'create',
                  detail: `${sid} on ${nodes}${ha.strict ? ' (strict)' : ''}`,
                  apply: (a) => createHaRule(a, { rule: name, ...body, comment: `[genesis] ${vm.name}` }),
                },
        );
      } else {
        const group = (placements as Awaited<ReturnType<typeof listHaGroups>>).find((g) => g.group === name);
        const same = group && group.nodes === nodes && !!group.restricted === ha.strict;
        changes.push(
          same
            ? { id: `ha group ${name}`, action: 'unchanged' }
            : group
              ? {
                  id: `ha group ${name}`,
                  action: 'update',
                  detail: `nodes ${group.nodes} → ${nodes}`,
                  apply: (a) => updateHaGroup(a, name, { nodes, restricted: ha.strict }),
                }
              : {
                  id: `ha group ${name}`,
                  action: 'create',
                  detail: nodes,
                  apply: (a) =>
                    createHaGroup(a, {
                      group: name,
                      nodes,
                      restricted: ha.strict,
                      comment: `[genesis] ${vm.name}`,
                    }),
                },
        );
      }
    }
    const group = !rules && ha.nodes.length ? name : undefined;
    const resource = resources.find((r) => r.sid === sid);
    if (!resource) {
      changes.push({
        id: `ha resource ${sid}`,
        action: 'create',
        detail: `${vm.name}, ${ha.state}${group ? `, group ${group}` : ''}`,
        apply: (a) =>
          createHaResource(a, {
            sid,
            state: ha.state,
            ...(group ? { group } : {}),
            comment: `[genesis] ${vm.name}`,
          }),
      });
    } else if ((resource.state ?? 'started') !== ha.state || (group && resource.group !== group)) {
      changes.push({
        id: `ha resource ${sid}`,
        action: 'update',
        detail: `state ${resource.state} → ${ha.state}`,
        apply: (a) => updateHaResource(a, sid, { state: ha.state, ...(group ? { group } : {}) }),
      });
    } else changes.push({ id: `ha resource ${sid}`, action: 'unchanged' });
  }
  return changes;
}
