/**
 * File uploads as pveproxy takes them (pve-http-server `src/PVE/APIServer/AnyEvent.pm`,
 * `handle_request` and `file_upload_multipart`): only multipart/form-data with a boundary; the
 * query string's parameters, then the form fields `content`, `checksum-algorithm`, `checksum`,
 * each taken only from the start of what is left (so only in that order), then the file part,
 * which must be named `filename` and whose `filename="…"` becomes the `filename` parameter. The
 * bytes go to a temporary file `/var/tmp/pveupload-<md5>` passed on as `tmpfilename`.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RawParams } from '../model/context';
import { PveError } from '../model/errors';

/** Upload bodies the simulator accepts (a real node's limit is its disk). */
export const MAX_UPLOAD = 64 * 1024 * 1024;

/** Paths pveproxy streams as uploads (`$auth->{isUpload}`). */
export const isUploadPath = (path: string) => /^\/nodes\/[^/]+\/storage\/[^/]+\/upload$/.test(path);

export interface ParsedUpload {
  params: RawParams;
  data: Buffer;
}

let sequence = 0;

export async function readUpload(req: IncomingMessage, url: URL): Promise<ParsedUpload> {
  const ctype = String(req.headers['content-type'] ?? '');
  const [ct, ...ctParams] = ctype.split(/\s*[;,]\s*/);
  const boundary = ctParams.map((p) => /^\s*boundary\s*=\s*(\S+?)\s*$/.exec(p)?.[1]).find(Boolean);
  if (!(boundary && ct === 'multipart/form-data')) throw new PveError(500, `upload 'Content-Type '${ctype}' not implemented`);
  if (!req.headers['content-length']) throw new PveError(500, 'upload without content length header not supported');
  const params: RawParams = Object.fromEntries(url.searchParams);
  if ('tmpfilename' in params) throw new PveError(500, "'tmpfilename' query parameter is not allowed for file uploads");

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_UPLOAD) throw new PveError(413, 'Request Entity Too Large');
    chunks.push(chunk as Buffer);
  }
  // latin1 maps bytes 1:1, so offsets in the string are offsets in the buffer.
  const raw = Buffer.concat(chunks);
  let rest = raw.toString('latin1');
  const esc = boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const delim = `--${esc}\\r?\\n`;
  // Phase 0: everything before the first delimiter goes.
  const first = new RegExp(`^[\\s\\S]*?(${delim})`).exec(rest);
  if (!first) throw new PveError(500, 'upload failed');
  rest = rest.slice(first.index + first[0].length - first[1].length);

  for (const name of ['content', 'checksum-algorithm', 'checksum']) {
    const field = new RegExp(`^${delim}[\\s\\S]*?Content-Disposition: ([\\s\\S]*?); name="${name}"[\\s\\S]*?\\r?\\n\\r?\\n([\\s\\S]*?)(?=${delim})`).exec(rest);
    if (!field) continue;
    assertFormData(field[1]);
    params[name] = field[2].trim();
    rest = rest.slice(field[0].length);
  }
  const file = new RegExp(`^${delim}Content-Disposition: ([\\s\\S]*?); name="([\\s\\S]*?)"; filename="([^"]+)"[\\s\\S]*?\\r?\\n\\r?\\n`).exec(rest);
  if (!file) throw new PveError(500, 'upload failed');
  assertFormData(file[1]);
  if (file[2] !== 'filename') throw new PveError(500, `wrong field name '${file[2]}' for file upload, expected 'filename'`);
  params.filename = file[3].trim();
  rest = rest.slice(file[0].length);
  const consumed = raw.length - rest.length;
  const end = new RegExp(`\\r?\\n--${esc}--`).exec(rest);
  if (!end) throw new PveError(500, 'upload failed');
  const data = raw.subarray(consumed, consumed + end.index);
  params.tmpfilename = `/var/tmp/pveupload-${createHash('md5').update(`${++sequence}${Date.now()}${process.pid}`).digest('hex')}`;
  return { params, data };
}

/** `assert_form_disposition`: only `form-data` dispositions. */
function assertFormData(disposition: string): void {
  if (disposition !== 'form-data') throw new PveError(500, `wrong Content-Disposition '${disposition}' in multipart, expected 'form-data'`);
}
