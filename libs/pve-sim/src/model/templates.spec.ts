/**
 * What building templates needs from a node, on both releases over HTTPS, every request validated
 * against that release's official schema: file uploads (multipart), download-url's checksum
 * verdict on a fresh download, cloud-init sshkeys checked with the real ssh-keygen, and a Windows
 * unattended install whose guest agent answers only when Setup has finished. Each test names the
 * PVE source it follows.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithSchema, eventually, startTestSimulator } from '../server/testing';
import { PVE_VERSIONS } from './release';

type Sim = Awaited<ReturnType<typeof startTestSimulator>>;

/** A multipart body in the given part order, as a browser or curl -F sends it. */
function multipart(parts: { name: string; value?: string; file?: { name: string; data: Buffer } }[]) {
  const boundary = '----pvesimtest7d3e';
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (p.file)
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"; filename="${p.file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`), p.file.data, Buffer.from('\r\n'));
    else chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"\r\n\r\n${p.value}\r\n`));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { type: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(chunks) };
}

function post(sim: Sim, path: string, type: string, body: Buffer): Promise<{ status: number; body: { data?: unknown; message?: string; errors?: Record<string, string> } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: sim.host, port: sim.port, method: 'POST', path: `/api2/json${path}`, ca: sim.caPem, servername: 'localhost', agent: false,
        headers: { authorization: `PVEAPIToken=${sim.tokens.root.id}=${sim.tokens.root.secret}`, 'content-type': type, 'content-length': body.length },
      },
      (res) => {
        const got: Buffer[] = [];
        res.on('data', (c: Buffer) => got.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(got).toString('utf8') || '{}') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const taskLog = async (sim: Sim, upid: string) =>
  (await sim.clients.root.get(`/nodes/pve/tasks/${encodeURIComponent(upid)}/log`, { limit: 500 })).map((l: { t: string }) => l.t);

/** A real ISO 9660 image with an autounattend.xml at its root (xorriso, as libs/installer builds it). */
function answerIso(): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'pve-sim-iso-'));
  try {
    writeFileSync(join(dir, 'autounattend.xml'), '<?xml version="1.0"?><unattend xmlns="urn:schemas-microsoft-com:unattend"/>');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'GENESIS_UNATTEND', '-J', '-r', '-o', join(dir, 'a.iso'), join(dir, 'autounattend.xml')], { stdio: 'ignore' });
    return readFileSync(join(dir, 'a.iso'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPVWpm2QQF5j4I4XHdkX3JO3XbY6RnQBlJ6NLsAhT9ow genesis-test';

describeWithSchema('template building on the simulated node', () => {
  jest.setTimeout(60_000);

  describe.each(PVE_VERSIONS)('PVE %s', (pveVersion) => {
    let sim: Sim;
    beforeAll(async () => {
      sim = await startTestSimulator({ pveVersion, unattendedInstallMs: 300, remoteFiles: { 'https://example.invalid/tampered.img': { sha256: 'ab'.repeat(32) } } });
    });
    afterAll(() => sim.stop());

    it('pve-http-server AnyEvent.pm file_upload_multipart + pve-storage Status.pm upload: an ISO is verified against its sha256 and listed as iso content', async () => {
      const data = answerIso();
      const sum = createHash('sha256').update(data).digest('hex');
      const { type, body } = multipart([
        { name: 'content', value: 'iso' },
        { name: 'checksum-algorithm', value: 'sha256' },
        { name: 'checksum', value: sum },
        { name: 'filename', file: { name: 'genesis-win10-unattend.iso', data } },
      ]);
      const res = await post(sim, '/nodes/pve/storage/local/upload', type, body);
      expect(res.status).toBe(200);
      const upid = String(res.body.data);
      expect(upid).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:imgcopy::root@pam!genesis:$/);
      expect((await sim.clients.root.waitTask(upid)).exitstatus).toBe('OK');
      const log = await taskLog(sim, upid);
      expect(log[0]).toMatch(/^starting file import from: \/var\/tmp\/pveupload-[0-9a-f]{32}$/);
      expect(log).toEqual(expect.arrayContaining([
        'calculating checksum...OK, checksum verified',
        'target file: /var/lib/vz/template/iso/genesis-win10-unattend.iso',
        `file size is: ${data.length}`,
        'finished file import successfully',
      ]));
      const isos = await sim.clients.root.get('/nodes/pve/storage/local/content', { content: 'iso' });
      expect(isos).toContainEqual(expect.objectContaining({ volid: 'local:iso/genesis-win10-unattend.iso', content: 'iso', size: data.length }));
    });

    it('Status.pm upload: a checksum mismatch fails the task with PVE\'s message and leaves nothing on storage', async () => {
      const { type, body } = multipart([
        { name: 'content', value: 'iso' },
        { name: 'checksum-algorithm', value: 'sha256' },
        { name: 'checksum', value: '0'.repeat(64) },
        { name: 'filename', file: { name: 'bad.iso', data: Buffer.from('not the file you pinned') } },
      ]);
      const res = await post(sim, '/nodes/pve/storage/local/upload', type, body);
      const status = await sim.clients.root.waitTask(String(res.body.data));
      const got = createHash('sha256').update('not the file you pinned').digest('hex');
      expect(status.exitstatus).toBe(`checksum mismatch: got '${got}' != expect '${'0'.repeat(64)}'`);
      const isos = await sim.clients.root.get('/nodes/pve/storage/local/content', { content: 'iso' });
      expect(isos.map((v: { volid: string }) => v.volid)).not.toContain('local:iso/bad.iso');
    });

    it('AnyEvent.pm: fields after the file are lost, the file part must be named filename, only multipart is an upload; Status.pm: the extension per content', async () => {
      const data = Buffer.from('x');
      const late = multipart([{ name: 'filename', file: { name: 'late.iso', data } }, { name: 'content', value: 'iso' }]);
      expect((await post(sim, '/nodes/pve/storage/local/upload', late.type, late.body)).body.errors).toEqual({ content: 'property is missing and it is not optional' });
      const named = multipart([{ name: 'content', value: 'iso' }, { name: 'file', file: { name: 'x.iso', data } }]);
      expect((await post(sim, '/nodes/pve/storage/local/upload', named.type, named.body)).body.message).toBe("wrong field name 'file' for file upload, expected 'filename'");
      const form = await sim.clients.root.raw('POST', '/nodes/pve/storage/local/upload', { content: 'iso', filename: 'x.iso' });
      expect(form.body.message).toBe("upload 'Content-Type 'application/x-www-form-urlencoded' not implemented");
      const ext = multipart([{ name: 'content', value: 'iso' }, { name: 'filename', file: { name: 'x.qcow2', data } }]);
      expect((await post(sim, '/nodes/pve/storage/local/upload', ext.type, ext.body)).body.errors).toEqual({ filename: 'wrong file extension' });
    });

    it('pve-common Tools.pm download_file_from_url: a fresh download whose sum differs from the pinned one fails the task', async () => {
      const pinned = 'cd'.repeat(32);
      const upid = await sim.clients.root.post('/nodes/pve/storage/local/download-url', {
        url: 'https://example.invalid/tampered.img', content: 'iso', filename: 'tampered.iso', checksum: pinned, 'checksum-algorithm': 'sha256',
      });
      expect((await sim.clients.root.waitTask(upid)).exitstatus).toBe(`checksum mismatch: got '${'ab'.repeat(32)}' != expect '${pinned}'`);
      expect(await taskLog(sim, upid)).toContain('calculating checksum...');
      const isos = await sim.clients.root.get('/nodes/pve/storage/local/content', { content: 'iso' });
      expect(isos.map((v: { volid: string }) => v.volid)).not.toContain('local:iso/tampered.iso');
    });

    it('qemu-server API2/Qemu.pm update_vm_api + pve-common Tools.pm validate_ssh_public_keys: sshkeys are URL-encoded, checked with ssh-keygen, kept encoded', async () => {
      await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 120, name: 'keys', memory: 512 });
      const encoded = encodeURIComponent(`${KEY}\n`);
      await sim.clients.root.task('POST', '/nodes/pve/qemu/120/config', { sshkeys: encoded });
      expect((await sim.clients.root.get('/nodes/pve/qemu/120/config')).sshkeys).toBe(encoded);
      const broken = await sim.clients.root.raw('POST', '/nodes/pve/qemu/120/config', { sshkeys: encodeURIComponent('ssh-ed25519 AAAAnotakey x') });
      expect(broken.body.message).toBe('SSH public key validation error');
      // `+` for a space (form encoding) is outside the `urlencoded` format's character set.
      const plus = await sim.clients.root.raw('POST', '/nodes/pve/qemu/120/config', { sshkeys: KEY.replace(/ /g, '+') });
      expect(plus.body.errors?.sshkeys).toMatch(/invalid urlencoded string: ssh-ed25519\+/);
    });

    it('a Windows VM on a blank disk answers on the agent only after Setup ran from the installer and answer ISOs', async () => {
      await sim.clients.root.task('POST', '/nodes/pve/storage/local/download-url', { url: 'https://example.invalid/win.iso', content: 'iso', filename: 'win.iso' });
      await sim.clients.root.task('POST', '/nodes/pve/qemu', {
        vmid: 9001, name: 'win', ostype: 'win10', machine: 'q35', bios: 'ovmf', agent: 'enabled=1', scsi0: 'local-lvm:8',
        ide0: 'local:iso/win.iso,media=cdrom', ide3: 'local:iso/genesis-win10-unattend.iso,media=cdrom', boot: 'order=scsi0;ide0',
      });
      const start = await sim.clients.root.task('POST', '/nodes/pve/qemu/9001/status/start');
      expect(await taskLog(sim, start)).toContain('VM 9001: booting Windows Setup from CD with an autounattend.xml');
      await eventually('the guest agent of 9001 after the install', async () => {
        const ping = await sim.clients.root.raw('POST', '/nodes/pve/qemu/9001/agent/ping');
        return ping.status === 200 ? true : (expect(ping.body.message).toBe('QEMU guest agent is not running'), undefined);
      });
      // Without answer media Setup waits for a person: the agent never answers.
      await sim.clients.root.task('POST', '/nodes/pve/qemu', { vmid: 9002, name: 'manual', ostype: 'win10', agent: '1', scsi0: 'local-lvm:8', ide0: 'local:iso/win.iso,media=cdrom' });
      const manual = await sim.clients.root.task('POST', '/nodes/pve/qemu/9002/status/start');
      expect(await taskLog(sim, manual)).not.toContain('VM 9002: booting Windows Setup from CD with an autounattend.xml');
      expect(sim.state.read().vms['9002'].installDoneAtMs).toBeUndefined();
      expect((await sim.clients.root.raw('POST', '/nodes/pve/qemu/9002/agent/ping')).body.message).toBe('QEMU guest agent is not running');
    });
  });
});
