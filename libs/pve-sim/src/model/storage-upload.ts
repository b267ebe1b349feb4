/**
 * `POST /nodes/{node}/storage/{storage}/upload`, following pve-storage `PVE/API2/Storage/Status.pm`
 * `upload` (stable-8 and master alike): a file storage, the temporary file pveproxy wrote, the
 * file name normalised and its extension checked per content type, the content type enabled on
 * the storage; then an `imgcopy` task that verifies the checksum of the uploaded bytes, copies the
 * file into place (an existing file is overwritten) and logs as PVE does.
 */
import { createHash } from 'node:crypto';
import { str, type Route } from './context';
import { dieError, paramError } from './errors';
import type { SimHost } from './host';
import { volumePath } from './storage';
import { findStorage, storageContent } from './volumes';

/** What pveproxy wrote to /var/tmp/pveupload-* for the request being handled, by tmpfilename. */
const staged = new WeakMap<SimHost, Map<string, Buffer>>();

export function stageUpload(host: SimHost, tmpfilename: string, data: Buffer): void {
  if (!staged.has(host)) staged.set(host, new Map());
  staged.get(host)!.set(tmpfilename, data);
}

/** `PVE::Storage::normalize_content_filename`. */
const normalize = (f: string) => f.replace(/\n$/, '').replace(/^.*[/\\]/, '').replace(/[^a-zA-Z0-9_.-]/g, '_');

/** `$ISO_EXT_RE_0`, `$VZTMPL_EXT_RE_1`, `$SAFE_CHAR_CLASS_RE+$UPLOAD_IMPORT_EXT_RE_1` (PVE/Storage.pm). */
const EXTENSIONS: Record<string, { pattern: RegExp; message: string; dir: string }> = {
  iso: { pattern: /[^/]+\.(?:iso|img)$/i, message: 'wrong file extension', dir: 'iso' },
  vztmpl: { pattern: /[^/]+\.(?:tar(?!\.)|tar\.(?:gz|xz|zst|bz2))$/i, message: 'wrong file extension', dir: 'vztmpl' },
  import: { pattern: /[a-zA-Z0-9\-.+=_]+\.(ova|qcow2|raw|vmdk)/, message: 'invalid filename or wrong extension', dir: 'import' },
};

/** Windows Setup finds autounattend.xml at the root of any removable or CD medium. */
const carriesAnswerFile = (data: Buffer) => /autounattend\.xml/i.test(data.toString('latin1'));

export const storageUploadRoutes: Route[] = [
  {
    method: 'POST',
    path: '/nodes/{node}/storage/{storage}/upload',
    handler: (ctx) => {
      ctx.host.assertNode(ctx.pathParams.node);
      const host = ctx.host;
      const cfg = findStorage(host, ctx.pathParams.storage);
      if (cfg.path === undefined) throw dieError(`can't upload to storage type '${cfg.type}'`);
      const content = str(ctx, 'content') ?? '';
      const tmpfilename = str(ctx, 'tmpfilename');
      if (!tmpfilename) throw dieError('missing temporary file name');
      const data = staged.get(host)?.get(tmpfilename);
      staged.get(host)?.delete(tmpfilename);
      if (!data) throw dieError(`temporary file '${tmpfilename}' does not exist`);
      const filename = normalize(str(ctx, 'filename') ?? '');
      const rule = EXTENSIONS[content];
      if (!rule) throw paramError({ content: `upload content type '${content}' not allowed` });
      if (!rule.pattern.test(filename)) throw paramError({ filename: rule.message });
      if (!storageContent(cfg).includes(content)) throw dieError(`storage '${cfg.storage}' does not support '${content}' content`);
      const name = `${rule.dir}/${filename}`;
      const dest = volumePath(host, cfg.storage, name);
      const checksum = str(ctx, 'checksum');
      const algorithm = str(ctx, 'checksum-algorithm');
      return host.startTask(ctx, 'imgcopy', '', (log) => {
        log(`starting file import from: ${tmpfilename}`);
        if (algorithm) {
          const got = createHash(algorithm).update(data).digest('hex');
          if (got.toLowerCase() !== String(checksum ?? '').toLowerCase()) {
            log('calculating checksum...');
            throw new Error(`checksum mismatch: got '${got}' != expect '${checksum ?? ''}'`);
          }
          log('calculating checksum...OK, checksum verified');
        }
        log(`target node: ${host.node}`);
        log(`target file: ${dest}`);
        log(`file size is: ${data.length}`);
        log(`command: cp -- ${tmpfilename} ${dest}`);
        // "NOTE: we simply overwrite the destination file if it already exists"
        host.state.volumes = host.state.volumes.filter((v) => !(v.storage === cfg.storage && v.name === name));
        host.state.volumes.push({
          storage: cfg.storage,
          name,
          content,
          format: content === 'iso' ? 'iso' : content === 'vztmpl' ? 'tgz' : (filename.split('.').pop() ?? 'raw'),
          size: data.length,
          ctime: Math.floor(Date.now() / 1000),
          ...(content === 'iso' && carriesAnswerFile(data) ? { unattend: true } : {}),
        });
        log('finished file import successfully');
      });
    },
  },
];
