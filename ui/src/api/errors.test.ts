import { describe, expect, it } from 'vitest';
import { hintFor, toErrorPayload } from './errors';

describe('errors from the core', () => {
  it('keeps a known code and its message, and gives the hint for it', () => {
    const e = toErrorPayload({ code: 'disk_full', message: '/data/tideline.db: the disk is full; nothing was changed.' });
    expect(e).toEqual({ code: 'disk_full', message: '/data/tideline.db: the disk is full; nothing was changed.' });
    expect(hintFor(e.code)).toMatch(/Free some space/);
    expect(hintFor('database_busy')).toMatch(/Close other programs/);
    expect(hintFor('data_dir_read_only')).toMatch(/writable/);
    expect(hintFor('file_permission_denied')).toMatch(/read access/);
  });

  it('treats a code it does not know, a thrown Error or a string as a window error', () => {
    expect(toErrorPayload({ code: 'something_new', message: 'x' })).toEqual({ code: 'ui', message: 'x' });
    expect(toErrorPayload(new Error('boom'))).toEqual({ code: 'ui', message: 'boom' });
    expect(toErrorPayload('plain')).toEqual({ code: 'ui', message: 'plain' });
    expect(toErrorPayload(42)).toEqual({ code: 'ui', message: 'Something went wrong.' });
  });
});
