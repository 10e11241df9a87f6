/**
 * A disk that fills up: every working file the engine writes (a decompressed upload, a decoded copy, a
 * sheet's CSV, spilled shared strings) is redirected, one kind at a time, to /dev/full, whose writes fail
 * with ENOSPC as a full /tmp's do. Each run ends in a rejected report naming the disk; the process goes on.
 */
import * as fs from 'node:fs';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { LIMITS_ENV } from '../../src/engine/resource-limits.ts';
import { clinicsContract, FIXTURES } from './clinics.ts';
import { contract, expectAccounted, ingest } from './helpers.ts';

/** Working files whose name matches are written to /dev/full. */
const disk = vi.hoisted(() => ({ full: null as RegExp | null, spillFds: new Set<number>() }));

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  const redirect = (p: unknown) =>
    typeof p === 'string' && disk.full?.test(p) && !p.endsWith('.spill') ? '/dev/full' : p;
  const mocked = {
    ...real,
    createWriteStream: ((p: string, o?: unknown) =>
      real.createWriteStream(redirect(p) as string, o as never)) as typeof real.createWriteStream,
    openSync: ((p: string, ...rest: unknown[]) => {
      const fd = (real.openSync as (...a: unknown[]) => number)(p, ...rest);
      if (typeof p === 'string' && p.endsWith('.spill') && disk.full?.test(p)) disk.spillFds.add(fd);
      return fd;
    }) as typeof real.openSync,
    writeSync: ((fd: number, ...rest: unknown[]) => {
      if (disk.spillFds.has(fd))
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
          errno: -28,
        });
      return (real.writeSync as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof real.writeSync,
  };
  return { ...mocked, default: mocked };
});

const tmp = mkdtempSync(join(tmpdir(), 'lake-disk-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  disk.full = null;
  disk.spillFds.clear();
  vi.unstubAllEnvs();
});

function expectDiskRejection(report: Awaited<ReturnType<typeof ingest>>['report'], stage: RegExp) {
  expectAccounted(report);
  expect(report.status).toBe('rejected');
  expect(report.outputs).toEqual([]);
  expect(report.errors).toHaveLength(1);
  expect(report.errors[0].rule).toBe('disk');
  expect(report.errors[0].message).toMatch(stage);
  expect(report.errors[0].message).toMatch(/split the file into smaller files/);
}

describe('a disk that fills up', () => {
  it('while a gzip upload is decompressed to its working copy', async () => {
    expect(fs.existsSync('/dev/full')).toBe(true);
    const path = join(tmp, 'clinics.csv.gz');
    writeFileSync(path, gzipSync(fs.readFileSync(join(FIXTURES, 'clinics-utf8.csv'))));
    disk.full = /decoded\.txt$/;
    const o = await ingest(path, clinicsContract());
    expectDiskRejection(o.report, /^the working disk filled up while writing the working copy of the file/);
    // The process goes on: the same file with room on the disk is accepted.
    disk.full = null;
    expect((await ingest(path, clinicsContract())).report.status).toBe('accepted');
  });

  it('while a gzipped workbook is decompressed', async () => {
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('表').addRow(['clinic_id']);
    const path = join(tmp, 'book.xlsx.gz');
    writeFileSync(path, gzipSync(Buffer.from(await wb.xlsx.writeBuffer())));
    disk.full = /workbook\.xlsx$/;
    const o = await ingest(path, clinicsContract({ type: 'xlsx' }));
    expectDiskRejection(o.report, /^the working disk filled up while decompressing the gzip file/);
  });

  it("while a sheet's CSV is written, and while shared strings spill", async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表');
    ws.addRow(['name', 'n']);
    for (let i = 0; i < 2000; i++) ws.addRow([`单位${i}`, i]);
    const path = join(tmp, 'strings.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const c = contract({
      format: { type: 'xlsx' },
      fields: [{ name: 'name' }, { name: 'n', type: 'integer' }],
    });
    disk.full = /sheet\.csv$/;
    expectDiskRejection((await ingest(path, c)).report, /^the working disk filled up while reading the file/);
    disk.full = /shared-strings-.*\.spill$/;
    vi.stubEnv(LIMITS_ENV.stringsMemoryBytes, '1024');
    expectDiskRejection((await ingest(path, c)).report, /^the working disk filled up while reading the file/);
    expect(disk.spillFds.size).toBe(1);
  });
});
