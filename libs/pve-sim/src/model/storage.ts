/**
 * `/storage` (storage.cfg) and the node's view of it: status, content, allocation and
 * `download-url`.
 */
import { createHash } from 'node:crypto';
import { bool, deleteList, int, str, type RequestContext, type Route } from './context';
import { dieError, paramError, PveError } from './errors';
import type { SimHost } from './host';
import type { StorageConfig } from './state';
import {
  allocateImage,
  downloadedSize,
  findStorage,
  findVolume,
  freeVolume,
  isLinkedClone,
  parseVolid,
  storageContent,
  storageUsage,
  volid,
} from './volumes';

const TYPE_KEYS: Record<string, string[]> = {
  dir: ['path', 'content', 'nodes', 'disable', 'shared', 'mkdir', 'is_mountpoint', 'prune-backups', 'preallocation', 'content-dirs'],
  zfspool: ['pool', 'content', 'nodes', 'disable', 'sparse', 'blocksize', 'mountpoint'],
  lvmthin: ['vgname', 'thinpool', 'content', 'nodes', 'disable'],
  lvm: ['vgname', 'content', 'nodes', 'disable', 'shared', 'saferemove'],
};
/** Values PVE refuses to change after creation. */
const FIXED_KEYS = ['type', 'path', 'pool', 'vgname', 'thinpool'];
const DEFAULT_CONTENT: Record<string, string> = {
  dir: 'images,rootdir,vztmpl,iso,backup,snippets',
  zfspool: 'images,rootdir',
  lvmthin: 'images,rootdir',
  lvm: 'images,rootdir',
};

function digestOf(host: SimHost): string {
  return createHash('sha1').update(JSON.stringify(host.state.storage)).digest('hex');
}

function storageEnabledHere(host: SimHost, cfg: StorageConfig): boolean {
  return !cfg.nodes || String(cfg.nodes).split(',').includes(host.node);
}

function nodeStatus(host: SimHost, cfg: StorageConfig): Record<string, unknown> {
  const enabled = !Number(cfg.disable ?? 0);
  const { total, used, avail } = storageUsage(host, cfg);
  return {
    storage: cfg.storage,
    type: cfg.type,
    content: storageContent(cfg).sort().join(','),
    shared: Number(cfg.shared ?? 0),
    enabled: enabled ? 1 : 0,
    active: enabled ? 1 : 0,
    total,
    used,
    avail,
    used_fraction: total > 0 ? used / total : 0,
  };
}

function setKeys(ctx: RequestContext, cfg: StorageConfig, allowed: string[]): void {
  for (const [key, raw] of Object.entries(ctx.params)) {
    if (['storage', 'type', 'digest', 'delete'].includes(key)) continue;
    if (!allowed.includes(key)) throw paramError({ [key]: `unexpected property for storage type '${cfg.type}'` });
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    cfg[key] = /^(disable|shared|sparse|mkdir|is_mountpoint)$/.test(key) ? (bool(ctx, key) ? 1 : 0) : value;
  }
  if (cfg.content !== undefined) {
    cfg.content = String(cfg.content).split(',').filter(Boolean).sort().join(',');
  }
}

export const storageRoutes: Route[] = [
  {
    method: 'GET',
    path: '/storage',
    handler: (ctx) => {
      const type = str(ctx, 'type');
      const digest = digestOf(ctx.host);
      return ctx.host.state.storage.filter((s) => !type || s.type === type).map((s) => ({ ...s, digest }));
    },
  },
  {
    method: 'POST',
    path: '/storage',
    handler: (ctx) => {
      const storage = str(ctx, 'storage') ?? '';
      const type = str(ctx, 'type') ?? '';
      const host = ctx.host;
      if (host.state.storage.some((s) => s.storage === storage)) throw dieError(`storage ID '${storage}' already defined`);
      const allowed = TYPE_KEYS[type];
      if (!allowed) throw new PveError(501, `storage type '${type}' is not simulated (dir, zfspool, lvmthin, lvm are)`);
      const cfg: StorageConfig = { storage, type };
      setKeys(ctx, cfg, allowed);
      cfg.content ??= DEFAULT_CONTENT[type];
      if (type === 'dir' && !cfg.path) throw paramError({ path: 'property is missing and it is not optional' });
      if (type === 'zfspool') {
        if (!cfg.pool) throw paramError({ pool: 'property is missing and it is not optional' });
        const poolName = String(cfg.pool).split('/')[0];
        if (!host.state.zfsPools.some((p) => p.name === poolName)) {
          throw dieError(`zfs error: cannot open '${String(cfg.pool)}': dataset does not exist`);
        }
      }
      host.state.storage.push(cfg);
      return { storage, type };
    },
  },
  {
    method: 'GET',
    path: '/storage/{storage}',
    handler: (ctx) => ({ ...findStorage(ctx.host, ctx.pathParams.storage), digest: digestOf(ctx.host) }),
  },
  {
    method: 'PUT',
    path: '/storage/{storage}',
    handler: (ctx) => {
      const cfg = findStorage(ctx.host, ctx.pathParams.storage);
      const digest = str(ctx, 'digest');
      if (digest && digest !== digestOf(ctx.host)) {
        throw dieError('detected modified configuration - file changed by other user? Try again.');
      }
      for (const key of FIXED_KEYS) {
        if (str(ctx, key) !== undefined) throw paramError({ [key]: `can't change value of fixed parameter '${key}'` });
      }
      const updated = { ...cfg };
      for (const key of deleteList(ctx)) delete updated[key];
      setKeys(ctx, updated, TYPE_KEYS[cfg.type] ?? []);
      Object.keys(cfg).forEach((k) => delete cfg[k]);
      Object.assign(cfg, updated);
      return { storage: cfg.storage, type: cfg.type };
    },
  },
  {
    method: 'DELETE',
    path: '/storage/{storage}',
    handler: (ctx) => {
      const cfg = findStorage(ctx.host, ctx.pathParams.storage);
      ctx.host.state.storage.splice(ctx.host.state.storage.indexOf(cfg), 1);
      return null;
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const content = str(ctx, 'content');
      const only = str(ctx, 'storage');
      const enabledOnly = bool(ctx, 'enabled') ?? false;
      return ctx.host.state.storage
        .filter((s) => storageEnabledHere(ctx.host, s))
        .filter((s) => !only || s.storage === only)
        .filter((s) => !content || content.split(',').some((c) => storageContent(s).includes(c)))
        .map((s) => nodeStatus(ctx.host, s))
        .filter((s) => !enabledOnly || s.enabled === 1);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}',
    handler: (ctx) => {
      findStorage(ctx.host, ctx.pathParams.storage);
      return ['content', 'download-url', 'status', 'upload'].map((subdir) => ({ subdir }));
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/status',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const cfg = findStorage(ctx.host, ctx.pathParams.storage);
      if (!storageEnabledHere(ctx.host, cfg)) {
        throw dieError(`storage '${cfg.storage}' is not available on node '${ctx.host.node}'`);
      }
      return nodeStatus(ctx.host, cfg);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const cfg = findStorage(ctx.host, ctx.pathParams.storage);
      const content = str(ctx, 'content');
      const vmid = int(ctx, 'vmid');
      return ctx.host.state.volumes
        .filter((v) => v.storage === cfg.storage)
        .filter((v) => !content || v.content === content)
        .filter((v) => vmid === undefined || v.vmid === vmid)
        .map((v) => {
          const parentName = isLinkedClone(v) ? v.name.split('/').slice(0, -1).join('/') : undefined;
          return {
            volid: volid(v),
            content: v.content,
            format: v.format,
            size: v.size,
            ctime: v.ctime,
            ...(v.vmid !== undefined ? { vmid: v.vmid } : {}),
            ...(parentName ? { parent: `${parentName.replace(/^\d+\//, '')}@__base__` } : {}),
          };
        });
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/content',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const storage = ctx.pathParams.storage;
      const vmid = int(ctx, 'vmid') ?? 0;
      const filename = str(ctx, 'filename') ?? '';
      const size = parseSize(str(ctx, 'size') ?? '');
      if (size === undefined) throw paramError({ size: 'unable to parse size, expected e.g. 4G, 512M or 1024K' });
      const m = /^(vm|base)-(\d+)-[\w-]+?(?:\.(raw|qcow2|vmdk))?$/.exec(filename);
      if (!m) throw paramError({ filename: `illegal name '${filename}' - should be 'vm-${vmid}-*'` });
      if (Number(m[2]) !== vmid) throw paramError({ filename: `filename '${filename}' does not match vmid ${vmid}` });
      const base = filename.replace(/\.(raw|qcow2|vmdk)$/, '');
      const volume = allocateImage(ctx.host, storage, vmid, size, {
        name: base,
        format: str(ctx, 'format') ?? (m[3] as string | undefined),
      });
      return volid(volume);
    },
  },
  {
    method: 'GET',
    path: '/nodes/{node}/storage/{storage}/content/{volume}',
    handler: (ctx) => {
      const id = ctx.pathParams.volume.includes(':') ? ctx.pathParams.volume : `${ctx.pathParams.storage}:${ctx.pathParams.volume}`;
      const volume = findVolume(ctx.host, id);
      if (!volume) throw dieError(`volume '${id}' does not exist`);
      return { path: volumePath(ctx.host, volume.storage, volume.name), size: volume.size, used: volume.size, format: volume.format };
    },
  },
  {
    method: 'DELETE',
    path: '/nodes/{node}/storage/{storage}/content/{volume}',
    handler: (ctx) => {
      const id = ctx.pathParams.volume.includes(':') ? ctx.pathParams.volume : `${ctx.pathParams.storage}:${ctx.pathParams.volume}`;
      const volume = findVolume(ctx.host, id);
      if (!volume) throw dieError(`volume '${id}' does not exist`);
      const owner = volume.vmid !== undefined ? ctx.host.state.vms[String(volume.vmid)] : undefined;
      if (owner && Object.values(owner.config).some((v) => v.split(',')[0] === id)) {
        throw dieError(`unable to delete '${id}' - volume is still in use (referenced in VM ${owner.vmid} config)`);
      }
      return ctx.host.startTask(ctx, 'imgdel', id, () => freeVolume(ctx.host, volume));
    },
  },
  {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/download-url',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      const cfg = findStorage(host, ctx.pathParams.storage);
      // pve-storage `PVE/API2/Storage/Status.pm` `download_url`, in its order of checks.
      if (cfg.path === undefined) throw dieError(`can't upload to storage type '${cfg.type}', not a file based storage!`);
      const content = str(ctx, 'content') ?? '';
      const url = str(ctx, 'url') ?? '';
      if (!storageContent(cfg).includes(content)) throw dieError(`storage '${cfg.storage}' is not configured for content-type '${content}'`);
      const filename = normalizeContentFilename(str(ctx, 'filename') ?? '');
      const rule = DOWNLOAD_FILENAME[content];
      if (!rule) throw paramError({ content: `upload content-type '${content}' is not allowed` });
      if (!rule.pattern.test(filename)) throw paramError({ filename: rule.message });
      const name = `${content === 'vztmpl' ? 'vztmpl' : content}/${filename}`;
      const checksum = str(ctx, 'checksum');
      const algorithm = str(ctx, 'checksum-algorithm');
      const target = volumePath(host, cfg.storage, name);
      // pve-common `PVE/Tools.pm` `download_file_from_url`, inside the worker: an existing file is
      // kept when its checksum matches, otherwise the task fails.
      return host.startTask(ctx, 'download', filename, (log) => {
        if (checksum && !algorithm) throw new Error('checksum required but not specified');
        log(`downloading ${url} to ${target}`);
        const existing = host.state.volumes.find((v) => v.storage === cfg.storage && v.name === name);
        if (existing) {
          if (!checksum) throw new Error(`refusing to override existing file '${target}'`);
          const got = existing.checksum?.startsWith(`${algorithm}:`) ? existing.checksum.slice(String(algorithm).length + 1) : 'unknown';
          if (got.toLowerCase() === checksum.toLowerCase()) {
            log('calculating checksum of existing file...OK, got correct file already, no need to download');
            return;
          }
          log('calculating checksum of existing file...');
          throw new Error(`checksum mismatch: got '${got}' != expect '${checksum}', aborting`);
        }
        const remote = host.behaviour.remoteFiles?.[url];
        const size = remote?.size ?? downloadedSize(url);
        log(`${size} bytes received`);
        if (checksum) {
          // `download_file_from_url`: the sum of the downloaded temporary file against the pinned one.
          const got = remote?.[algorithm as 'sha256' | 'sha512'] ?? checksum;
          // `print "calculating checksum..."` and the verdict share a line; a mismatch ends it bare.
          if (got.toLowerCase() !== checksum.toLowerCase()) {
            log('calculating checksum...');
            throw new Error(`checksum mismatch: got '${got}' != expect '${checksum}'`);
          }
          log('calculating checksum...OK, checksum verified');
        }
        log(`download of '${url}' to '${target}' finished`);
        host.state.volumes.push({
          storage: cfg.storage,
          name,
          content,
          format: content === 'iso' ? 'iso' : filename.split('.').pop() ?? 'raw',
          size,
          ctime: Math.floor(Date.now() / 1000),
          ...(checksum && algorithm ? { checksum: `${algorithm}:${checksum}` } : {}),
        });
      }, { durationMs: host.behaviour.taskDurationMs * 2 });
    },
  },
];

/**
 * The file-name checks of `download_url` (pve-storage `PVE/Storage.pm`): `$ISO_EXT_RE_0`,
 * `$VZTMPL_EXT_RE_1`, and for `import` `$SAFE_CHAR_CLASS_RE+$UPLOAD_IMPORT_EXT_RE_1` — unanchored
 * as in the Perl `m!…!`, so `x.qcow2` passes and `x.img` does not. Since libpve-storage-perl 8.3.6
 * (commit 76f695f, PVE 8.4) `import` takes `.ova|.qcow2|.raw|.vmdk`; 8.2.8 to 8.3.5 took `.ova` only.
 */
const DOWNLOAD_FILENAME: Record<string, { pattern: RegExp; message: string }> = {
  iso: { pattern: /[^/]+\.(?:iso|img)$/i, message: 'wrong file extension' },
  vztmpl: { pattern: /[^/]+\.(?:tar(?!\.)|tar\.(?:gz|xz|zst|bz2))$/i, message: 'wrong file extension' },
  import: { pattern: /[a-zA-Z0-9\-.+=_]+\.(ova|qcow2|raw|vmdk)/, message: 'invalid filename or wrong extension' },
};

/** pve-storage `PVE/Storage.pm` `normalize_content_filename`: the base name, unsafe characters as `_`. */
function normalizeContentFilename(filename: string): string {
  return filename.replace(/\n$/, '').replace(/^.*[/\\]/, '').replace(/[^a-zA-Z0-9_.-]/g, '_');
}

export function volumePath(host: SimHost, storage: string, name: string): string {
  const cfg = findStorage(host, storage);
  if (cfg.type === 'dir') {
    const sub = name.startsWith('iso/') ? 'template/iso' : name.startsWith('vztmpl/') ? 'template/cache' : name.startsWith('import/') ? 'import' : 'images';
    return `${String(cfg.path)}/${sub}/${name.replace(/^(iso|vztmpl|import)\//, '')}`;
  }
  if (cfg.type === 'zfspool') return `/dev/zvol/${String(cfg.pool)}/${name.split('/').pop() ?? name}`;
  return `/dev/${String(cfg.vgname)}/${name.split('/').pop() ?? name}`;
}

/** `32`, `32G`, `512M`, `1024K`: PVE sizes; bare numbers are KiB for content allocation. */
export function parseSize(text: string, bareUnit: 'K' | 'G' = 'K'): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/i.exec(text.trim());
  if (!m) return undefined;
  const unit = (m[2] || bareUnit).toUpperCase();
  const mult = { K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

export { parseVolid };
