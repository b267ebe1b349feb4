/**
 * The multipart/form-data body of `POST /nodes/{node}/storage/{storage}/upload`, in the shape
 * pve-http-server's `file_upload_multipart` (src/PVE/APIServer/AnyEvent.pm) parses: it takes the
 * form fields `content`, `checksum-algorithm`, `checksum` one after the other from the start of the
 * body, in that order, then the file part, which must be named `filename`; anything else is lost.
 */
import { randomBytes } from 'node:crypto';

export interface UploadFields {
  content: string;
  'checksum-algorithm'?: string;
  checksum?: string;
}

export interface MultipartBody {
  contentType: string;
  body: Buffer;
}

/** The field order AnyEvent.pm's phase 1 extracts, each anchored at the start of what is left. */
export const UPLOAD_FIELD_ORDER = ['content', 'checksum-algorithm', 'checksum'] as const;

export function uploadBody(fields: UploadFields, filename: string, data: Buffer): MultipartBody {
  if (/["\r\n]/.test(filename)) throw new TypeError(`upload file name ${JSON.stringify(filename)} has a quote or line break; PVE's parser cannot read it`);
  const boundary = `----genesis${randomBytes(12).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const name of UPLOAD_FIELD_ORDER) {
    const value = fields[name];
    if (value === undefined) continue;
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  }
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="filename"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(data);
  parts.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}
