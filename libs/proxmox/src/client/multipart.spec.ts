import { uploadBody } from './multipart';

describe('upload body (pve-http-server AnyEvent.pm file_upload_multipart)', () => {
  it('sends content, checksum-algorithm, checksum in the order pveproxy reads them, then the file part named filename', () => {
    const data = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
    const { contentType, body } = uploadBody({ checksum: 'ab', 'checksum-algorithm': 'sha256', content: 'iso' }, 'a.iso', data);
    const boundary = /boundary=(\S+)$/.exec(contentType)![1];
    const text = body.toString('latin1');
    const names = [...text.matchAll(/; name="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toEqual(['content', 'checksum-algorithm', 'checksum', 'filename']);
    expect(text).toContain('name="filename"; filename="a.iso"');
    // The bytes arrive unchanged between the part's blank line and the closing delimiter.
    const start = body.indexOf('\r\n\r\n', body.indexOf('filename="a.iso"')) + 4;
    const end = body.indexOf(`\r\n--${boundary}--`);
    expect(body.subarray(start, end)).toEqual(data);
  });

  it('refuses a file name the parser cannot read back', () => {
    expect(() => uploadBody({ content: 'iso' }, 'a".iso', Buffer.alloc(0))).toThrow(/has a quote or line break/);
  });
});
