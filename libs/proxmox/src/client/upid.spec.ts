import { isUpid, parseUpid } from './upid';

describe('parseUpid', () => {
  it('reads node, hex fields, type, id and a token user from a PVE task id', () => {
    const upid = 'UPID:pve:0012D687:0A3B1C2D:65F1A2B3:qmstart:100:genesis@pve!provision:';
    expect(parseUpid(upid)).toEqual({
      node: 'pve',
      pid: 0x0012d687,
      pstart: 0x0a3b1c2d,
      starttime: 0x65f1a2b3,
      type: 'qmstart',
      id: '100',
      user: 'genesis@pve!provision',
    });
    expect(isUpid(upid)).toBe(true);
  });

  it('accepts an empty id, a 9-digit pstart and a dashed node name', () => {
    const parsed = parseUpid('UPID:gpu-host-1:00001234:1ABCDEF01:65F1A2B3:srvreload:networking:root@pam:');
    expect(parsed.node).toBe('gpu-host-1');
    expect(parsed.pstart).toBe(0x1abcdef01);
    expect(parseUpid('UPID:pve:00001234:00005678:65F1A2B3:aptupdate::root@pam:').id).toBe('');
  });

  it.each([
    ['not a upid'],
    ['UPID:pve:1234:00005678:65F1A2B3:qmstart:100:root@pam:'],
    ['UPID:pve:00001234:00005678:65F1A2B3:qmstart:100:root@pam'],
    ['UPID:-pve:00001234:00005678:65F1A2B3:qmstart:100:root@pam:'],
  ])('refuses %s with the expected form in the message', (text) => {
    expect(() => parseUpid(text)).toThrow(/UPID:node:pid:pstart:starttime:type:id:user:/);
    expect(isUpid(text)).toBe(false);
  });
});
