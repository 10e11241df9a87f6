/**
 * Resource limits as verdicts: a file that needs more disk or memory than the limits allow ends in a
 * rejected report that names the limit and what to do, never in a crash; the limits follow the function's
 * sizing (set through its environment) or, elsewhere, the temp directory's free space.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import {
  LIMITS_ENV,
  limitsForFunction,
  MAX_STRINGS_MEMORY_BYTES,
  MIN_STRINGS_MEMORY_BYTES,
  resourceLimits,
  resourceRejection,
} from '../../src/engine/resource-limits.ts';
import { readSharedStrings } from '../../src/engine/xlsx/shared-strings-part.ts';
import { xlsxToCsv } from '../../src/engine/xlsx.ts';
import { clinicsContract, FIXTURES } from './clinics.ts';
import { contract, expectAccounted, ingest } from './helpers.ts';

const tmp = mkdtempSync(join(tmpdir(), 'lake-limits-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
afterEach(() => {
  vi.unstubAllEnvs();
});
const MiB = 1024 * 1024;

describe('the limits', () => {
  it('derive from the function: a quarter of /tmp per upload, three eighths for its working copy, strings from memory', () => {
    expect(limitsForFunction({ memoryMiB: 3008, ephemeralStorageMiB: 10240 })).toEqual({
      maxObjectBytes: 2560 * MiB,
      maxDecompressedBytes: 3840 * MiB,
      stringsMemoryBytes: MAX_STRINGS_MEMORY_BYTES,
    });
    expect(limitsForFunction({ memoryMiB: 1024, ephemeralStorageMiB: 512 }).stringsMemoryBytes).toBe(
      32 * MiB,
    );
    expect(limitsForFunction({ memoryMiB: 128, ephemeralStorageMiB: 512 }).stringsMemoryBytes).toBe(
      MIN_STRINGS_MEMORY_BYTES,
    );
  });

  it('are read from the environment the stack sets, else from the free disk space', () => {
    expect(
      resourceLimits({ [LIMITS_ENV.maxDecompressedBytes]: '1000', [LIMITS_ENV.stringsMemoryBytes]: '77' }),
    ).toEqual({
      maxDecompressedBytes: 1000,
      stringsMemoryBytes: 77,
      origin: 'function',
    });
    const local = resourceLimits({}, tmp);
    expect(local.origin).toBe('local');
    expect(local.maxDecompressedBytes).toBeGreaterThan(0);
    expect(local.maxDecompressedBytes).not.toBe(20 * 1024 ** 3);
    expect(resourceLimits({}, join(tmp, 'no-such-dir')).maxDecompressedBytes).toBe(20 * 1024 ** 3);
  });

  it('turn a full disk or exhausted memory, from Node or DuckDB, into a rejection; other errors stay errors', () => {
    const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
    expect(resourceRejection(enospc, 'writing')).toMatchObject({ rule: 'disk' });
    expect(resourceRejection(enospc)?.message).toMatch(/^the working disk filled up while reading the file/);
    const duck = new Error(
      'IO Error: Could not write all bytes to file "x.parquet": No space left on device',
    );
    expect(resourceRejection(duck)).toMatchObject({ rule: 'disk' });
    const oom = new Error(
      'Out of Memory Error: failed to allocate data of size 16.0 MiB (1.0 GiB/1.0 GiB used)',
    );
    expect(resourceRejection(oom)?.message).toMatch(
      /ran out of memory .*raise ingestion.memoryMiB in lake.yaml/,
    );
    expect(resourceRejection(new Error('Conversion Error: bad'))).toBeNull();
    expect(resourceRejection(new RangeError('Maximum call stack size exceeded'))).toBeNull();
  });
});

describe('a file past the decompression limit', () => {
  it('a gzip that expands past the limit the environment sets: rejected, naming the limit', async () => {
    vi.stubEnv(LIMITS_ENV.maxDecompressedBytes, String(MiB));
    const o = await ingest(join(FIXTURES, 'broken', 'bomb.csv.gz'), clinicsContract());
    expectAccounted(o.report);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors).toEqual([
      expect.objectContaining({
        rule: 'gzip',
        message: `the gzip file expands past the limit of ${MiB} bytes (LAKE_MAX_DECOMPRESSED_BYTES, set from the transformer's ephemeral storage): split it into smaller files and upload each, or raise ingestion.ephemeralStorageMiB in lake.yaml (it sets this limit) and deploy again`,
      }),
    ]);
  });

  it('a GB18030 file whose UTF-8 working copy grows past the limit', async () => {
    const line = `${'名称'.repeat(200)},1\n`;
    const path = join(tmp, 'wide.csv');
    writeFileSync(path, iconv.encode(`name,n\n${line.repeat(2000)}`, 'gb18030'));
    vi.stubEnv(LIMITS_ENV.maxDecompressedBytes, String(MiB));
    const c = contract({ fields: [{ name: 'name' }, { name: 'n', type: 'integer' }] });
    const o = await ingest(path, c);
    expect(o.report.status).toBe('rejected');
    expect(o.report.errors[0]).toMatchObject({ rule: 'size' });
    expect(o.report.errors[0].message).toMatch(
      /^the decoded text \(UTF-8\) of the file expands past the limit of 1048576 bytes \(LAKE_MAX_DECOMPRESSED_BYTES/,
    );
  });

  it('a workbook part larger than the limit is refused before it is inflated', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表');
    ws.addRow(['编号', '说明']);
    for (let i = 0; i < 20_000; i++) ws.addRow([i, `第${i}行`]);
    const path = join(tmp, 'big.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    vi.stubEnv(LIMITS_ENV.maxDecompressedBytes, String(MiB));
    const e = await xlsxToCsv(path, join(tmp, 'big.csv')).catch((x: unknown) => x as Error);
    expect(e).toMatchObject({ rule: 'size' });
    expect((e as Error).message).toMatch(
      /^the workbook part xl\/worksheets\/sheet1.xml expands past the limit of 1048576 bytes \(LAKE_MAX_DECOMPRESSED_BYTES/,
    );
    // Under a limit it fits, the same workbook converts.
    vi.stubEnv(LIMITS_ENV.maxDecompressedBytes, String(64 * MiB));
    expect((await xlsxToCsv(path, join(tmp, 'big.csv'))).rows).toBe(20_000);
  });

  it('a gzipped workbook past the limit given to the run', async () => {
    const path = join(tmp, 'bomb.xlsx.gz');
    writeFileSync(path, gzipSync(Buffer.alloc(4 * MiB)));
    const o = await ingest(path, clinicsContract({ type: 'xlsx' }), { maxDecompressedBytes: MiB });
    expect(o.report.errors[0]).toMatchObject({
      rule: 'gzip',
      message: `the gzip file expands past the limit of ${MiB} bytes: split it into smaller files and upload each`,
    });
  });
});

describe('shared strings beyond the memory budget', () => {
  async function* xmlOf(strings: string[]): AsyncGenerator<string> {
    yield '<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">';
    for (let i = 0; i < strings.length; i += 500)
      yield strings
        .slice(i, i + 500)
        .map((s) => `<si><t>${s}</t></si>`)
        .join('');
    yield '</sst>';
  }

  it('spill to disk and read back the same, in any order, through the cache', async () => {
    const strings = Array.from({ length: 20_000 }, (_, i) => `第${i}号 ${'字'.repeat(i % 37)}`);
    const table = await readSharedStrings(xmlOf(strings), 'xl/sharedStrings.xml', {
      memoryBytes: 64 * 1024,
      spillDir: tmp,
    });
    try {
      expect(table.length).toBe(strings.length);
      expect(table.spilled).toBeGreaterThan(19_000);
      const order = Array.from({ length: 60_000 }, (_, k) => (k * 7919) % strings.length);
      expect(order.map((i) => table.at(i))).toEqual(order.map((i) => strings[i]));
      expect(table.at(strings.length)).toBeUndefined();
    } finally {
      table.close();
    }
  });

  it('a workbook converts to the same CSV whether its strings spill or not', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('表');
    ws.addRow(['编号', '名称', '地址']);
    for (let i = 0; i < 3000; i++) ws.addRow([i, `单位${i}`, `${'路'.repeat(i % 11)}${i}号`]);
    const path = join(tmp, 'strings.xlsx');
    writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
    const { readFile } = await import('node:fs/promises');
    await xlsxToCsv(path, join(tmp, 'in-memory.csv'));
    vi.stubEnv(LIMITS_ENV.stringsMemoryBytes, '4096');
    await xlsxToCsv(path, join(tmp, 'spilled.csv'));
    const spilled = await readFile(join(tmp, 'spilled.csv'), 'utf8');
    expect(spilled).toBe(await readFile(join(tmp, 'in-memory.csv'), 'utf8'));
    expect(spilled.split('\n')[3000]).toBe(`3001,2999,单位2999,${'路'.repeat(2999 % 11)}2999号`);
  });
});
