/**
 * `POST /nodes/{node}/storage/{storage}/upload`: a file from here onto a file storage of the host,
 * as multipart/form-data (client/multipart.ts); its SHA-256 goes along, so the host verifies the
 * bytes it received before it moves the file into place (pve-storage Status.pm `upload`).
 */
import { createHash } from 'node:crypto';
import type { PveApi } from '../client/types';

export async function uploadToStorage(
  api: PveApi,
  storage: string,
  file: { content: 'iso' | 'vztmpl' | 'import'; filename: string; data: Buffer },
): Promise<string> {
  if (!api.upload) throw new Error(`this connection cannot upload files (no multipart support); upload ${file.filename} to ${storage} by hand (GUI: ${storage} → ${file.content === 'iso' ? 'ISO Images' : 'Import'} → Upload) and run again`);
  const checksum = createHash('sha256').update(file.data).digest('hex');
  return api.upload(
    `/nodes/${encodeURIComponent(api.node)}/storage/${encodeURIComponent(storage)}/upload`,
    { content: file.content, 'checksum-algorithm': 'sha256', checksum },
    file.filename,
    file.data,
  );
}
