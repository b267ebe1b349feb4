/**
 * The token privilege model of the simulator. `root@pam!genesis` (privsep=0) carries root's
 * privileges but is not `root@pam` itself, so PVE's root-only checks still refuse it;
 * `genesis@pve!provision` has an administrator role on `/`; `monitor@pve!exporter` is a
 * PVEAuditor and may only read.
 */
import type { HttpMethod, TokenIdentity } from './context';
import { permissionError } from './errors';

/** The ACL path and privilege PVE checks for a write to `path` (simplified to one privilege). */
export function requiredPrivilege(method: HttpMethod, path: string): { aclPath: string; privilege: string } {
  let m = /^\/nodes\/([^/]+)\/qemu\/(\d+)(\/.*)?$/.exec(path);
  if (m) {
    const sub = m[3] ?? '';
    const aclPath = `/vms/${m[2]}`;
    if (sub.startsWith('/status')) return { aclPath, privilege: 'VM.PowerMgmt' };
    if (sub.startsWith('/clone')) return { aclPath, privilege: 'VM.Clone' };
    if (sub.startsWith('/snapshot')) return { aclPath, privilege: 'VM.Snapshot' };
    if (sub.startsWith('/agent')) return { aclPath, privilege: 'VM.Monitor' };
    if (sub.startsWith('/firewall')) return { aclPath, privilege: 'VM.Config.Network' };
    if (sub.startsWith('/config') || sub.startsWith('/resize')) return { aclPath, privilege: 'VM.Config.Options' };
    return { aclPath, privilege: 'VM.Allocate' };
  }
  if (/^\/nodes\/[^/]+\/qemu\/?$/.test(path)) return { aclPath: '/vms', privilege: 'VM.Allocate' };
  m = /^\/nodes\/[^/]+\/storage\/([^/]+)\/download-url/.exec(path);
  if (m) return { aclPath: `/storage/${m[1]}`, privilege: 'Datastore.AllocateTemplate' };
  m = /^\/nodes\/[^/]+\/storage\/([^/]+)/.exec(path);
  if (m) return { aclPath: `/storage/${m[1]}`, privilege: 'Datastore.AllocateSpace' };
  if (path.startsWith('/storage')) return { aclPath: '/storage', privilege: 'Datastore.Allocate' };
  if (path.startsWith('/cluster/mapping/pci')) return { aclPath: '/mapping/pci', privilege: 'Mapping.Modify' };
  if (path.startsWith('/cluster/firewall')) return { aclPath: '/', privilege: 'Sys.Modify' };
  m = /^\/nodes\/([^/]+)/.exec(path);
  if (m) return { aclPath: `/nodes/${m[1]}`, privilege: 'Sys.Modify' };
  return { aclPath: '/', privilege: 'Sys.Modify' };
}

/** Throws PVE's 403 when the token lacks the privilege for this request. */
export function checkPermission(auth: TokenIdentity, method: HttpMethod, path: string): void {
  if (auth.role !== 'auditor') return;
  // An auditor reads everything except what needs more than *.Audit: guest agent calls.
  const readsAgent = /^\/nodes\/[^/]+\/qemu\/\d+\/agent\/./.test(path);
  if (method === 'GET' && !readsAgent) return;
  const { aclPath, privilege } = requiredPrivilege(method, path);
  throw permissionError(aclPath, privilege);
}
