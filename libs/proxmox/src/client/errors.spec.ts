import { PveHttpError, PveTaskError, PveTlsError } from './errors';

describe('PveHttpError', () => {
  it('lists the per-parameter errors PVE returned, sorted, one per line', () => {
    const error = new PveHttpError('POST', '/nodes/pve/qemu', 400, 'Parameter verification failed.', {
      net0: 'invalid format - format error\nnet0.bridge: property is missing',
      cores: 'value must have a minimum value of 1',
    });
    expect(error.status).toBe(400);
    expect(error.errors['cores']).toMatch(/minimum/);
    expect(error.message).toBe(
      'PVE POST /nodes/pve/qemu failed: HTTP 400 Parameter verification failed.\n' +
        '  cores: value must have a minimum value of 1\n' +
        '  net0: invalid format - format error\nnet0.bridge: property is missing',
    );
  });

  it('recognises lock timeouts and explains 401', () => {
    expect(
      new PveHttpError(
        'POST',
        '/x',
        500,
        "can't lock file '/var/lock/qemu-server/lock-100.conf' - got timeout",
      ).isLockTimeout,
    ).toBe(true);
    expect(new PveHttpError('GET', '/x', 500, 'boom').isLockTimeout).toBe(false);
    expect(new PveHttpError('GET', '/version', 401, 'authentication failure').message).toMatch(
      /PVE_TOKEN_ID and PVE_TOKEN_SECRET/,
    );
  });
});

describe('PveTaskError and PveTlsError', () => {
  it('carry the log tail and the presented fingerprint with the fix', () => {
    const task = new PveTaskError(
      'UPID:pve:00000001:00000002:00000003:qmstart:100:root@pam:',
      'start failed',
      ['a', 'TASK ERROR: start failed'],
    );
    expect(task.message).toMatch(
      /failed: start failed\n.*\(last 2 lines\):\n {4}a\n {4}TASK ERROR: start failed/,
    );
    const tls = new PveTlsError('AA:BB', 'its fingerprint does not match PVE_FINGERPRINT', 'CC:DD');
    expect(tls.message).toMatch(/presented SHA-256 fingerprint AA:BB/);
    expect(tls.message).toMatch(/set PVE_FINGERPRINT=AA:BB/);
    expect(tls.message).toMatch(/expects\s+CC:DD/);
  });
});
